import { z } from "zod";
import type { GovernorState, Hold } from "./governor-state";

const KEY = "governor";
// Bump when the shape changes; a record of another version is read as absent and seeded again from the ledger.
const VERSION = 1;
// Settled request ids are remembered this long: longer than any retry of a settlement.
const SETTLED_KEEP_MS = 48 * 3_600_000;

const nullableInt = z.number().int().nullable();
const bucket = z.object({ level: z.number(), at: z.number() }).nullable();

const stateSchema = z.object({
	scope: z.object({ kind: z.enum(["token", "user", "group", "login"]), id: z.string() }).nullable(),
	limits: z.object({
		rpm: nullableInt,
		tpm: nullableInt,
		maxConcurrency: nullableInt,
		budgetDailyNusd: nullableInt,
		budgetMonthlyNusd: nullableInt,
		quotaNusd: nullableInt,
	}),
	requests: bucket,
	tokens: bucket,
	spend: z.object({ day: z.string(), dayNusd: z.number(), month: z.string(), monthNusd: z.number(), totalNusd: z.number() }),
	alerted: z.record(z.string(), z.number()),
}) satisfies z.ZodType<GovernorState>;

const storedSchema = z.object({ v: z.literal(VERSION), state: stateSchema });

export function loadState(kv: SyncKvStorage): GovernorState | undefined {
	const parsed = storedSchema.safeParse(kv.get(KEY));
	return parsed.success ? parsed.data.state : undefined;
}

/** Synchronous: in place before any other call reaches the object; the output gate holds replies until it is durable. */
export function saveState(kv: SyncKvStorage, state: GovernorState): void {
	kv.put(KEY, { v: VERSION, state });
}

/** Holds in flight and the request ids already settled, in the object's SQLite database. */
export interface HoldStore {
	hold(requestId: string, hold: Hold): void;
	/** Marks the request settled (a second settlement is a no-op) and forgets its hold. */
	settle(requestId: string, at: number): void;
	/** Forgets a hold without settling: a late settlement still counts. */
	drop(requestId: string): void;
	isSettled(requestId: string): boolean;
	prune(now: number): void;
}

export function holdStore(sql: SqlStorage): HoldStore {
	sql.exec(`CREATE TABLE IF NOT EXISTS holds (request_id TEXT PRIMARY KEY, tokens INTEGER NOT NULL, cost_nusd INTEGER NOT NULL, expires_at INTEGER NOT NULL);
		CREATE TABLE IF NOT EXISTS settled (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
		CREATE INDEX IF NOT EXISTS settled_at ON settled (at);`);
	return {
		hold: (id, h) => void sql.exec("INSERT OR REPLACE INTO holds VALUES (?, ?, ?, ?)", id, h.tokens, h.costNusd, h.expiresAt),
		settle: (id, at) => {
			sql.exec("DELETE FROM holds WHERE request_id = ?", id);
			sql.exec("INSERT OR IGNORE INTO settled VALUES (?, ?)", id, at);
		},
		drop: (id) => void sql.exec("DELETE FROM holds WHERE request_id = ?", id),
		isSettled: (id) => sql.exec("SELECT 1 FROM settled WHERE request_id = ?", id).toArray().length > 0,
		prune: (now) => void sql.exec("DELETE FROM settled WHERE at < ?", now - SETTLED_KEEP_MS),
	};
}

export function loadHolds(sql: SqlStorage): Map<string, Hold> {
	const rows = sql.exec<{ request_id: string; tokens: number; cost_nusd: number; expires_at: number }>("SELECT * FROM holds").toArray();
	return new Map(rows.map((r) => [r.request_id, { tokens: r.tokens, costNusd: r.cost_nusd, expiresAt: r.expires_at }]));
}
