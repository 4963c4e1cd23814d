import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { auditOwner } from "../auth/policy";
import { csvRow } from "../billing/csv";
import { db } from "../db/client";
import { type AuditRow, auditLog } from "../db/schema";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { type AuditFilters, auditFilters, auditItem, auditPage, auditQuery } from "./audit-schemas";
import { csvPages } from "./shared/csv-pages";
import { encodeCursor } from "./shared/pagination";

type AuditItem = z.infer<typeof auditItem>;

function item(row: AuditRow): AuditItem {
	return {
		id: row.id,
		at: new Date(row.at).toISOString(),
		actor_type: row.actorType,
		actor_id: row.actorId,
		user_id: row.userId,
		action: row.action,
		object_type: row.objectType,
		object_id: row.objectId,
		diff: row.diff,
		result: row.result,
		ip: row.ip,
		user_agent: row.userAgent,
		request_id: row.requestId,
	};
}

/** `security.*`: every action from `security.` up to (not including) `security/`, the next string: a range the index serves. */
function actionIs(action: string): SQL | undefined {
	if (!action.endsWith(".*")) return eq(auditLog.action, action);
	const prefix = action.slice(0, -1);
	return and(gte(auditLog.action, prefix), lt(auditLog.action, `${prefix.slice(0, -1)}/`));
}

type After = readonly [at: number, id: string];

function where(f: AuditFilters, userId: number | undefined, after: After | undefined): SQL | undefined {
	return and(
		f.action === undefined ? undefined : actionIs(f.action),
		f.actor_type === undefined ? undefined : eq(auditLog.actorType, f.actor_type),
		userId === undefined ? undefined : eq(auditLog.userId, userId),
		f.object_type === undefined ? undefined : eq(auditLog.objectType, f.object_type),
		f.object_id === undefined ? undefined : eq(auditLog.objectId, f.object_id),
		f.result === undefined ? undefined : eq(auditLog.result, f.result),
		f.from === undefined ? undefined : gte(auditLog.at, f.from),
		f.to === undefined ? undefined : lt(auditLog.at, f.to),
		after === undefined ? undefined : or(lt(auditLog.at, after[0]), and(eq(auditLog.at, after[0]), lt(auditLog.id, after[1]))),
	);
}

/** One page, newest first, ordered on (at, id) so that entries of one millisecond are neither lost nor repeated. */
async function readPage(env: Env, condition: SQL | undefined, limit: number): Promise<{ rows: AuditRow[]; next: After | undefined }> {
	const rows = await db(env)
		.select()
		.from(auditLog)
		.where(condition)
		.orderBy(desc(auditLog.at), desc(auditLog.id))
		.limit(limit + 1);
	const more = rows.length > limit;
	const page = more ? rows.slice(0, limit) : rows;
	const last = page.at(-1);
	return { rows: page, next: more && last ? [last.at, last.id] : undefined };
}

const CSV_COLUMNS = Object.keys(auditItem.shape) as (keyof AuditItem)[];
const EXPORT_PAGE = 500;

function csvLines(rows: AuditRow[]): string {
	return rows
		.map((r) => {
			const v = item(r);
			return csvRow(CSV_COLUMNS.map((k) => (k === "diff" ? (v.diff === null ? null : JSON.stringify(v.diff)) : v[k])));
		})
		.join("");
}

export const auditRoutes = new Hono<AppEnv>()
	.get("/", valid("query", auditQuery), async (c) => {
		const { limit, cursor, ...filters } = c.req.valid("query");
		const userId = auditOwner(c.get("principal"), filters.user_id);
		const page = await readPage(c.env, where(filters, userId, cursor), limit);
		const body: z.infer<typeof auditPage> = {
			data: page.rows.map(item),
			has_more: page.next !== undefined,
			next_cursor: page.next === undefined ? null : encodeCursor(page.next),
		};
		return c.json(body);
	})
	.get("/export.csv", valid("query", auditFilters), async (c) => {
		const filters = c.req.valid("query");
		const userId = auditOwner(c.get("principal"), filters.user_id);
		// The first page is read before answering, so that a failing query is still a proper error response.
		const first = await readPage(c.env, where(filters, userId, undefined), EXPORT_PAGE);
		const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "");
		return c.body(
			csvPages(csvRow(CSV_COLUMNS), first, (next) => readPage(c.env, where(filters, userId, next), EXPORT_PAGE), csvLines, "audit export"),
			200,
			{
				"content-type": "text/csv; charset=utf-8",
				"content-disposition": `attachment; filename="audit-${stamp}.csv"`,
				"cache-control": "no-store",
			},
		);
	});

export const auditDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/audit",
		summary: "The audit log, newest first, a page at a time: who did what, from where (a user sees only the entries about them)",
		tag: "Audit",
		auth: "user",
		query: auditQuery,
		response: auditPage,
		errors: [403],
	},
	{
		method: "get",
		path: "/api/audit/export.csv",
		summary: "Every matching audit entry as CSV (text/csv), streamed; the same filters as /api/audit",
		tag: "Audit",
		auth: "user",
		query: auditFilters,
		errors: [403],
	},
];
