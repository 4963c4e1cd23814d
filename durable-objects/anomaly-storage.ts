import { z } from "zod";
import type { Dimension, Profile } from "./anomaly-profile";
import { emptyProfile } from "./anomaly-profile";
import { ANOMALY_KINDS } from "./anomaly-types";

const KEY = "anomaly-profile";
// Bump when the shape changes; a record of another version is read as absent and the profile learns again.
const VERSION = 1;
/** Values kept per dimension: a key seen from more networks than this forgets the least recently seen. */
const MAX_VALUES = 500;

const profileSchema = z.object({
	firstAt: z.number().nullable(),
	requests: z.number(),
	failures: z.number(),
	meanBytes: z.number(),
	minute: z.number(),
	minuteRequests: z.number(),
	minuteFailures: z.number(),
	rateMean: z.number(),
	activeMinutes: z.number(),
	reported: z.partialRecord(z.enum(ANOMALY_KINDS), z.number()),
}) satisfies z.ZodType<Profile>;

const storedSchema = z.object({ v: z.literal(VERSION), profile: profileSchema });

/** A key's anomaly profile: its summary in the object's KV, the values it has seen in a table of its SQLite database. */
export interface ProfileStore {
	load(): Profile;
	save(profile: Profile): void;
	has(dim: Dimension, value: string): boolean;
	/** Marks values seen at `at` (again), keeping at most MAX_VALUES per dimension. */
	see(dim: Dimension, values: readonly string[], at: number): void;
}

/** Made on the first observation only: a governor of a key without anomaly tracking never creates the table. */
export function profileStore(storage: DurableObjectStorage): ProfileStore {
	const { sql, kv } = storage;
	sql.exec(`CREATE TABLE IF NOT EXISTS anomaly_seen (dim TEXT NOT NULL, value TEXT NOT NULL, last_at INTEGER NOT NULL, PRIMARY KEY (dim, value));
		CREATE INDEX IF NOT EXISTS anomaly_seen_last ON anomaly_seen (dim, last_at);`);
	return {
		load: () => {
			const parsed = storedSchema.safeParse(kv.get(KEY));
			return parsed.success ? parsed.data.profile : emptyProfile();
		},
		save: (profile) => kv.put(KEY, { v: VERSION, profile }),
		has: (dim, value) => sql.exec("SELECT 1 FROM anomaly_seen WHERE dim = ? AND value = ?", dim, value).toArray().length > 0,
		see: (dim, values, at) => {
			if (values.length === 0) return;
			for (const value of values) sql.exec("INSERT OR REPLACE INTO anomaly_seen VALUES (?, ?, ?)", dim, value, at);
			sql.exec(
				`DELETE FROM anomaly_seen WHERE dim = ?1 AND value NOT IN
					(SELECT value FROM anomaly_seen WHERE dim = ?1 ORDER BY last_at DESC LIMIT ?2)`,
				dim,
				MAX_VALUES,
			);
		},
	};
}
