/**
 * JSON with object keys sorted and null or absent values dropped, so that two spellings of one value (fields in
 * another order, an explicit null for an unset option) serialize alike: what a hash of a request is taken over.
 */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonical(v)));
	if (typeof value !== "object" || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value).sort()) {
		const v: unknown = Reflect.get(value, key);
		if (v !== undefined && v !== null) out[key] = canonical(v);
	}
	return out;
}
