/**
 * Google's OpenAPI-subset `Schema` (used by `parameters` and `responseSchema`) as plain JSON Schema, which the
 * other dialects want: its type names are upper case (`OBJECT`), null is a `nullable` flag, and `propertyOrdering`
 * is Google's own keyword.
 */
export function jsonSchemaOf(schema: unknown): Record<string, unknown> {
	if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return {};
	const out: Record<string, unknown> = {};
	let nullable = false;
	for (const [key, value] of Object.entries(schema)) {
		if (key === "nullable") nullable = value === true;
		if (key === "propertyOrdering" || key === "nullable") continue;
		if (key === "type" && typeof value === "string") out.type = value.toLowerCase();
		else if (key === "items") out.items = jsonSchemaOf(value);
		else if (key === "anyOf" && Array.isArray(value)) out.anyOf = value.map(jsonSchemaOf);
		else if (key === "properties" && typeof value === "object" && value !== null) {
			out.properties = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, jsonSchemaOf(inner)]));
		} else out[key] = value;
	}
	if (nullable && typeof out.type === "string") out.type = [out.type, "null"];
	return out;
}
