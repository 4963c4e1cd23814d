// Google's JSON mapping accepts snake_case field names as well as camelCase, and Google's own curl examples use
// them (`system_instruction`, `inline_data`, `generation_config`), so the codec reads one spelling only after this.
// User-owned maps are left as they are: tool arguments and results, schemas, labels.
const OPAQUE = new Set(["args", "response", "parameters", "parametersJsonSchema", "responseSchema", "responseJsonSchema", "labels"]);

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A Gemini request with every field name in camelCase, values under user-owned keys untouched. */
export function camelKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(camelKeys);
	if (typeof value !== "object" || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) {
		const name = camel(key);
		// The camelCase spelling wins when a client sent both.
		if (name !== key && Object.hasOwn(value, name)) continue;
		out[name] = OPAQUE.has(name) ? inner : camelKeys(inner);
	}
	return out;
}
