import { and, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { memories } from "../db/schema";

/**
 * A metadata key: it is put in a JSON path (`$."key"`), bound as a parameter, never into the SQL text; the quotes and
 * backslashes that would change the path's meaning cannot occur in it.
 */
const KEY = /^[\p{L}\p{N}_.:-]{1,128}$/u;
const KEY_RULE = "Metadata keys in filters are 1 to 128 letters, digits, '_', '.', ':' or '-'";
const text = z.string().max(1024);
const scalar = z.union([text, z.number(), z.boolean()]);
const ordered = z.union([text, z.number()]);

/** Mem0's operators on a metadata value; `*` (as the value) means "present, whatever its value". */
const metadataOperators = z
	.strictObject({
		eq: scalar.optional(),
		ne: scalar.optional(),
		in: z.array(ordered).min(1).max(100).optional(),
		gt: ordered.optional(),
		gte: ordered.optional(),
		lt: ordered.optional(),
		lte: ordered.optional(),
		contains: text.optional(),
		icontains: text.optional(),
	})
	.refine((o) => Object.values(o).some((v) => v !== undefined), "Name an operator: eq, ne, in, gt, gte, lt, lte, contains or icontains");

const metadataCondition = z.union([scalar, metadataOperators]);
type MetadataCondition = z.infer<typeof metadataCondition>;

/** `{"metadata": {"key": value | {operator: value}}}`: every key's condition must hold. */
export const metadataFilter = z.record(z.string(), metadataCondition).superRefine((m, ctx) => {
	const keys = Object.keys(m);
	if (keys.length === 0 || keys.length > 20) ctx.addIssue({ code: "custom", message: "Name 1 to 20 metadata keys" });
	for (const key of keys) if (!KEY.test(key)) ctx.addIssue({ code: "custom", path: [key], message: KEY_RULE });
});
export type MetadataFilter = z.infer<typeof metadataFilter>;

/** The values one operator binds at most (its path, twice for an array's elements, and its value). */
const VALUES_PER_OPERATOR = 4;

export function metadataValues(f: MetadataFilter): number {
	let n = 0;
	for (const cond of Object.values(f)) n += VALUES_PER_OPERATOR * (typeof cond === "object" ? Object.keys(cond).length : 1);
	return n;
}

type Scalar = string | number | boolean;

/**
 * The SQL condition of a metadata filter on `memories`. Comparisons are typed as JSON types are: the string "5" is not
 * the number 5, `gt: 5` only matches numbers, `gt: "b"` only strings; a memory without the key matches `ne` only.
 */
export function metadataSql(f: MetadataFilter): SQL | undefined {
	return and(
		...Object.entries(f).map(([key, cond]) => {
			const inner = conditionSql(`$."${key}"`, cond);
			// True or false, never NULL (a missing key makes the comparisons NULL): so that `NOT` keeps what it does not match.
			return inner && sql`coalesce((${inner}), 0)`;
		}),
	);
}

function conditionSql(path: string, cond: MetadataCondition): SQL | undefined {
	if (typeof cond !== "object") return equals(path, cond);
	return and(
		cond.eq === undefined ? undefined : equals(path, cond.eq),
		// A memory without the key (or without metadata) is not equal to the value.
		cond.ne === undefined ? undefined : sql`NOT coalesce((${equals(path, cond.ne)}), 0)`,
		cond.in === undefined
			? undefined
			: sql`(${jsonType(path)} IN ('text', 'integer', 'real') AND ${value(path)} IN (SELECT value FROM json_each(${JSON.stringify(cond.in)})))`,
		cond.gt === undefined ? undefined : compare(path, sql`>`, cond.gt),
		cond.gte === undefined ? undefined : compare(path, sql`>=`, cond.gte),
		cond.lt === undefined ? undefined : compare(path, sql`<`, cond.lt),
		cond.lte === undefined ? undefined : compare(path, sql`<=`, cond.lte),
		cond.contains === undefined ? undefined : contains(path, cond.contains, false),
		cond.icontains === undefined ? undefined : contains(path, cond.icontains, true),
	);
}

const value = (path: string) => sql`json_extract(${memories.metadata}, ${path})`;
const jsonType = (path: string) => sql`json_type(${memories.metadata}, ${path})`;

function equals(path: string, v: Scalar): SQL {
	if (v === "*") return sql`(${jsonType(path)} IS NOT NULL AND ${jsonType(path)} != 'null')`;
	// JSON true and false have types of their own (json_extract gives 1 and 0, which would equal the numbers).
	if (typeof v === "boolean") return sql`(${jsonType(path)} = ${v ? "true" : "false"})`;
	return sql`(${typed(path, v)} AND ${value(path)} = ${v})`;
}

function typed(path: string, v: string | number): SQL {
	return typeof v === "string" ? sql`${jsonType(path)} = 'text'` : sql`${jsonType(path)} IN ('integer', 'real')`;
}

function compare(path: string, op: SQL, v: string | number): SQL {
	return sql`(${typed(path, v)} AND ${value(path)} ${op} ${v})`;
}

/** A substring of a string value, or an element of an array value (`{"tags": {"contains": "work"}}`). */
function contains(path: string, v: string, ignoreCase: boolean): SQL | undefined {
	const inText = ignoreCase ? sql`instr(lower(${value(path)}), lower(${v})) > 0` : sql`instr(${value(path)}, ${v}) > 0`;
	const element = ignoreCase ? sql`lower(e.value) = lower(${v})` : sql`e.value = ${v}`;
	return or(
		sql`(${jsonType(path)} = 'text' AND ${inText})`,
		sql`(${jsonType(path)} = 'array' AND EXISTS (SELECT 1 FROM json_each(${memories.metadata}, ${path}) AS e WHERE e.type = 'text' AND ${element}))`,
	);
}
