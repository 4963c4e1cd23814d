/**
 * What an audit diff may keep of an object: never a secret. Fields whose name says they hold one are replaced, and
 * long strings cut, so that an entry stays small and a key pasted into a name does not survive whole.
 */
const SECRET_FIELD = /(^|_)(key|keys|secret|password|token|hash|authorization|cookie)$|^key_|password|secret|encrypted/i;
/** Ids and counts that merely mention keys or tokens are not secrets. */
const NOT_SECRET = /(_id|_ids|_count|_prefix|_tokens|^tpm|^tags|^scopes)$/i;
const MAX_STRING = 200;
const MAX_DEPTH = 4;

export const REDACTED = "[redacted]";

function clean(value: unknown, depth: number): unknown {
	if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
	if (value === null || typeof value !== "object") return value;
	if (depth >= MAX_DEPTH) return "…";
	if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && !NOT_SECRET.test(k) ? REDACTED : clean(v, depth + 1);
	return out;
}

/** An object (a row, a request body) with its secrets replaced, ready for an audit diff. */
export function redact(value: unknown): unknown {
	return clean(value, 0);
}

/**
 * The fields that differ between `before` and `after` (either may be absent: a creation, a deletion), each side
 * redacted; null when nothing differs.
 */
export function auditDiff(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Record<string, unknown> | null {
	if (before === undefined && after === undefined) return null;
	if (before === undefined) return { after: redact(after) as Record<string, unknown> };
	if (after === undefined) return { before: redact(before) as Record<string, unknown> };
	const b: Record<string, unknown> = {};
	const a: Record<string, unknown> = {};
	for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
		if (JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
		b[k] = before[k];
		a[k] = after[k];
	}
	if (Object.keys(a).length === 0) return null;
	return { before: redact(b), after: redact(a) };
}
