import { z } from "zod";

/**
 * One client address's failed authentications, in the governor named `auth-failures:<address>` (called only once the
 * address has failed: never on the success path). A fixed window of a minute: past the limit the address is refused
 * until the window ends. A burst (failures with no gap longer than BURST_GAP_MS) is reported once.
 */
export interface FailureWindow {
	windowStart: number;
	count: number;
	blockedUntil: number;
	lastAt: number;
	/** When the current burst was reported; null: not yet. */
	reportedAt: number | null;
}

const WINDOW_MS = 60_000;
export const BURST_GAP_MS = 10 * 60_000;

const KEY = "auth-failures";
const stored = z.object({
	windowStart: z.number(),
	count: z.number(),
	blockedUntil: z.number(),
	lastAt: z.number(),
	reportedAt: z.number().nullable(),
}) satisfies z.ZodType<FailureWindow>;

export function loadFailures(kv: SyncKvStorage): FailureWindow | undefined {
	const parsed = stored.safeParse(kv.get(KEY));
	return parsed.success ? parsed.data : undefined;
}

export function saveFailures(kv: SyncKvStorage, w: FailureWindow): void {
	kv.put(KEY, w);
}

/** The window with `n` more failures at `now`, and whether this is the moment the burst first crossed `limit`. */
export function countFailures(w: FailureWindow | undefined, n: number, limit: number, now: number): { window: FailureWindow; crossed: boolean } {
	const sameBurst = w !== undefined && now - w.lastAt <= BURST_GAP_MS;
	const sameWindow = w !== undefined && now - w.windowStart < WINDOW_MS;
	const windowStart = sameWindow && w ? w.windowStart : now;
	const count = (sameWindow && w ? w.count : 0) + n;
	const over = count >= limit;
	const reportedAt = sameBurst && w ? w.reportedAt : null;
	const crossed = over && reportedAt === null;
	return {
		window: {
			windowStart,
			count,
			blockedUntil: over ? windowStart + WINDOW_MS : (w?.blockedUntil ?? 0),
			lastAt: now,
			reportedAt: crossed ? now : reportedAt,
		},
		crossed,
	};
}
