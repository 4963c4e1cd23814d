import { z } from "zod";

/** OpenAI's cursor list parameters (`after`, `before`: ids of listed objects; `limit`; `order` by creation time). */
export const listQuery = {
	after: z.string().min(1).max(100).optional(),
	before: z.string().min(1).max(100).optional(),
	limit: z.coerce.number().int().min(1).max(100).default(20),
	order: z.enum(["asc", "desc"]).default("desc"),
};

export interface Cursor {
	createdAt: number;
	id: string;
}

export interface PageQuery {
	limit: number;
	order: "asc" | "desc";
	after?: Cursor | undefined;
	before?: Cursor | undefined;
}

/** OpenAI's list object, which the SDKs' cursor pages read: `has_more` and the last id drive auto-pagination. */
export function listObject<T extends { id: string }>(data: T[], hasMore: boolean) {
	return { object: "list" as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}

/**
 * The SQL condition and order of a page over `(created_at, id)`, the listing order (ties broken by id). `after`
 * continues past a cursor in the page's order; `before` (alone) gives the objects just before one, read backwards
 * (`reversed`: the caller turns the rows round). The caller asks for `limit + 1` rows to know whether there are more.
 */
export function pageSql(q: PageQuery, createdAt: string, id: string): { where: string; orderBy: string; binds: (string | number)[]; reversed: boolean } {
	const reversed = q.before !== undefined && q.after === undefined;
	const asc = (q.order === "asc") !== reversed;
	const conditions: string[] = [];
	const binds: (string | number)[] = [];
	if (q.after) {
		conditions.push(`(${createdAt}, ${id}) ${q.order === "asc" ? ">" : "<"} (?, ?)`);
		binds.push(q.after.createdAt, q.after.id);
	}
	if (q.before) {
		conditions.push(`(${createdAt}, ${id}) ${q.order === "asc" ? "<" : ">"} (?, ?)`);
		binds.push(q.before.createdAt, q.before.id);
	}
	return {
		where: conditions.length ? conditions.join(" AND ") : "1",
		orderBy: `${createdAt} ${asc ? "ASC" : "DESC"}, ${id} ${asc ? "ASC" : "DESC"}`,
		binds,
		reversed,
	};
}

/** The rows of a page in the listing's order, and whether more lie beyond it (in the direction it was read). */
export function pageRows<T>(rows: T[], limit: number, reversed: boolean): { rows: T[]; hasMore: boolean } {
	const page = rows.slice(0, limit);
	return { rows: reversed ? page.reverse() : page, hasMore: rows.length > limit };
}
