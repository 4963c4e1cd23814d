import { type LockedBy, lockKey } from "./key-lock";

const FIND = `SELECT tokens.id AS id, tokens.key_hash = h.value AS current FROM tokens, json_each(?1) AS h
	WHERE tokens.key_hash = h.value
		OR (tokens.previous_key_hash = h.value AND tokens.previous_key_expires_at > ?2)`;
const END_GRACE = "UPDATE tokens SET previous_key_hash = NULL, previous_key_expires_at = NULL WHERE id = ?1";

export interface LeakOutcome {
	/** Keys whose current secret was reported: locked (those already locked count too). */
	locked: number[];
	/** Keys whose old secret, still in a rotation's grace period, was reported: that secret stops working now. */
	graceEnded: number[];
}

/**
 * Acts on reported secrets, by SHA-256: a key's current secret locks the key (src/auth/key-lock.ts: one audit entry
 * and one notification per key locked); a rotated key's old secret, still in its grace period, ends the grace, so
 * that the new secret its owner already switched to keeps working. Unknown hashes are ignored.
 */
export async function actOnLeaks(env: Env, hashes: readonly string[], by: LockedBy, now = Date.now()): Promise<LeakOutcome> {
	if (hashes.length === 0) return { locked: [], graceEnded: [] };
	const { results } = await env.DB.prepare(FIND)
		.bind(JSON.stringify([...new Set(hashes)]), now)
		.all<{ id: number; current: number }>();
	const locked = [...new Set(results.filter((r) => r.current === 1).map((r) => r.id))];
	const graceEnded = [...new Set(results.filter((r) => r.current !== 1).map((r) => r.id))].filter((id) => !locked.includes(id));
	await Promise.all([
		...locked.map((id) => lockKey(env, id, "reported as leaked", by, now)),
		...(graceEnded.length > 0 ? [env.DB.batch(graceEnded.map((id) => env.DB.prepare(END_GRACE).bind(id)))] : []),
	]);
	return { locked, graceEnded };
}
