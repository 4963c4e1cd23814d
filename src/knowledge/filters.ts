import { z } from "zod";

/** A file's attributes in a vector store, as OpenAI allows them: up to 16 keys, each a string, number or boolean. */
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export const attributes = z
	.record(z.string().min(1).max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
	.refine((a) => Object.keys(a).length <= 16, "at most 16 attributes");

const comparisonTypes = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"] as const;

export type ComparisonFilter = {
	key: string;
	type: (typeof comparisonTypes)[number];
	value: AttributeValue | (string | number)[];
};
export type CompoundFilter = { type: "and" | "or"; filters: AttributeFilter[] };
export type AttributeFilter = ComparisonFilter | CompoundFilter;

const comparison = z.object({
	key: z.string().min(1).max(64),
	type: z.enum(comparisonTypes),
	value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()])).max(100)]),
});

/** Nesting deeper than this is refused: a filter is evaluated per candidate chunk, so its size is bounded. */
const MAX_DEPTH = 5;

function depth(f: AttributeFilter): number {
	return "filters" in f ? 1 + Math.max(0, ...f.filters.map(depth)) : 0;
}

const compound: z.ZodType<CompoundFilter> = z.lazy(() =>
	z.object({
		type: z.enum(["and", "or"]),
		filters: z
			.array(z.union([comparison, compound]))
			.min(1)
			.max(20),
	}),
);

/** OpenAI's `filters` (the shared ComparisonFilter and CompoundFilter types), as search and file_search take them. */
export const attributeFilter: z.ZodType<AttributeFilter> = z
	.union([comparison, compound])
	.refine((f) => depth(f) <= MAX_DEPTH, `filters may nest at most ${MAX_DEPTH} levels`);

function compare(actual: AttributeValue, wanted: AttributeValue, op: "gt" | "gte" | "lt" | "lte"): boolean {
	// Ordered comparisons hold between two numbers or two strings; anything else does not match.
	if (typeof actual !== typeof wanted || typeof actual === "boolean") return false;
	if (op === "gt") return actual > wanted;
	if (op === "gte") return actual >= wanted;
	if (op === "lt") return actual < wanted;
	return actual <= wanted;
}

/**
 * Whether a chunk's attributes pass a filter. A key the attributes lack matches only `ne` and `nin`, as "not equal
 * to" holds for a value that is not there.
 */
export function matchesFilter(attrs: Attributes | null | undefined, filter: AttributeFilter): boolean {
	if ("filters" in filter) {
		return filter.type === "and" ? filter.filters.every((f) => matchesFilter(attrs, f)) : filter.filters.some((f) => matchesFilter(attrs, f));
	}
	const actual = attrs?.[filter.key];
	const { type, value } = filter;
	if (actual === undefined) return type === "ne" || type === "nin";
	switch (type) {
		case "eq":
			return !Array.isArray(value) && actual === value;
		case "ne":
			return Array.isArray(value) || actual !== value;
		case "in":
			return Array.isArray(value) && typeof actual !== "boolean" && value.includes(actual);
		case "nin":
			return !Array.isArray(value) || typeof actual === "boolean" || !value.includes(actual);
		default:
			return !Array.isArray(value) && compare(actual, value, type);
	}
}
