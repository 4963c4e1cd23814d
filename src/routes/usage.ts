import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { mayTouch, scopeToOwner } from "../auth/policy";
import { csvRow } from "../billing/csv";
import { toUsd } from "../billing/money";
import { db } from "../db/client";
import { ledgerEntries, prices, usageLogs } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { csvPages } from "./shared/csv-pages";
import { encodeCursor } from "./shared/pagination";
import { priceViewOf } from "./shared/price-view";
import { requestIdParam, type UsageFilters, usageDetail, usageFilters, usageItem, usagePage, usageQuery } from "./usage-schemas";

type UsageLogRow = typeof usageLogs.$inferSelect;
type UsageItem = z.infer<typeof usageItem>;

function item(row: UsageLogRow): UsageItem {
	return {
		request_id: row.requestId,
		client_request_id: row.clientRequestId,
		model: row.model,
		upstream_model: row.upstreamModel,
		channel_id: row.channelId,
		token_id: row.tokenId,
		user_id: row.userId,
		prompt_tokens: row.promptTokens,
		completion_tokens: row.completionTokens,
		cached_tokens: row.cachedTokens,
		cost_usd: toUsd(row.costNusd),
		price_id: row.priceId,
		cache_hit: row.cacheHit,
		saved_usd: toUsd(row.savedNusd),
		status: row.status,
		error_code: row.errorCode,
		partial: row.partial,
		estimated: row.estimated,
		stream: row.stream,
		latency_ms: row.latencyMs,
		ttfb_ms: row.ttfbMs,
		attempts: row.attempts,
		endpoint: row.endpoint,
		batch_id: row.batchId,
		created_at: new Date(row.createdAt).toISOString(),
	};
}

type After = readonly [createdAt: number, requestId: string];

function where(f: UsageFilters, userId: number | undefined, after: After | undefined): SQL | undefined {
	const status = f.status === "ok" ? lt(usageLogs.status, 400) : f.status === "error" ? gte(usageLogs.status, 400) : f.status;
	return and(
		f.from === undefined ? undefined : gte(usageLogs.createdAt, f.from),
		f.to === undefined ? undefined : lt(usageLogs.createdAt, f.to),
		f.token_id === undefined ? undefined : eq(usageLogs.tokenId, f.token_id),
		userId === undefined ? undefined : eq(usageLogs.userId, userId),
		f.model === undefined ? undefined : eq(usageLogs.model, f.model),
		f.channel_id === undefined ? undefined : eq(usageLogs.channelId, f.channel_id),
		f.client_request_id === undefined ? undefined : eq(usageLogs.clientRequestId, f.client_request_id),
		f.batch_id === undefined ? undefined : eq(usageLogs.batchId, f.batch_id),
		typeof status === "number" ? eq(usageLogs.status, status) : status,
		after === undefined ? undefined : or(lt(usageLogs.createdAt, after[0]), and(eq(usageLogs.createdAt, after[0]), lt(usageLogs.requestId, after[1]))),
	);
}

/** One page, newest first, ordered on (created_at, request_id) so that rows with one timestamp are neither lost nor repeated. */
async function readPage(env: Env, condition: SQL | undefined, limit: number): Promise<{ rows: UsageLogRow[]; next: After | undefined }> {
	const rows = await db(env)
		.select()
		.from(usageLogs)
		.where(condition)
		.orderBy(desc(usageLogs.createdAt), desc(usageLogs.requestId))
		.limit(limit + 1);
	const more = rows.length > limit;
	const page = more ? rows.slice(0, limit) : rows;
	const last = page.at(-1);
	return { rows: page, next: more && last ? [last.createdAt, last.requestId] : undefined };
}

const CSV_COLUMNS = Object.keys(usageItem.shape) as (keyof UsageItem)[];
const EXPORT_PAGE = 500;

const csvLines = (rows: UsageLogRow[]) =>
	rows
		.map((r) => {
			const v = item(r);
			return csvRow(CSV_COLUMNS.map((k) => v[k]));
		})
		.join("");

export const usageRoutes = new Hono<AppEnv>()
	.get("/", valid("query", usageQuery), async (c) => {
		const { limit, cursor, ...filters } = c.req.valid("query");
		const userId = scopeToOwner(c.get("principal"), filters.user_id);
		const page = await readPage(c.env, where(filters, userId, cursor), limit);
		return c.json({ data: page.rows.map(item), next_cursor: page.next === undefined ? null : encodeCursor(page.next) });
	})
	.get("/export.csv", valid("query", usageFilters), async (c) => {
		const filters = c.req.valid("query");
		const userId = scopeToOwner(c.get("principal"), filters.user_id);
		// The first page is read before answering, so that a failing query is still a proper error response.
		const first = await readPage(c.env, where(filters, userId, undefined), EXPORT_PAGE);
		const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "");
		return c.body(
			csvPages(csvRow(CSV_COLUMNS), first, (next) => readPage(c.env, where(filters, userId, next), EXPORT_PAGE), csvLines, "usage export"),
			200,
			{
				"content-type": "text/csv; charset=utf-8",
				"content-disposition": `attachment; filename="usage-${stamp}.csv"`,
				"cache-control": "no-store",
			},
		);
	})
	.get("/:request_id", valid("param", requestIdParam), async (c) => {
		const requestId = c.req.valid("param").request_id;
		const d = db(c.env);
		const [[row], [charge]] = await d.batch([
			d.select().from(usageLogs).where(eq(usageLogs.requestId, requestId)).limit(1),
			// The consumer's idempotency key for a request's debit (queues/usage-consumer.ts).
			d
				.select()
				.from(ledgerEntries)
				.where(eq(ledgerEntries.idempotencyKey, `usage:${requestId}`))
				.limit(1),
		]);
		// Someone else's request is "not found" to a user key: its existence is not theirs to learn.
		if (!row || !mayTouch(c.get("principal"), row.userId)) throw new GatewayError("not_found", `No usage recorded for request ${requestId}`);
		const [price] = row.priceId === null ? [] : await d.select().from(prices).where(eq(prices.id, row.priceId)).limit(1);
		const detail: z.infer<typeof usageDetail> = {
			...item(row),
			charge: charge
				? {
						ledger_entry_id: charge.id,
						amount_usd: toUsd(charge.amountNusd),
						balance_after_usd: charge.balanceAfterNusd === null ? null : toUsd(charge.balanceAfterNusd),
					}
				: null,
			price: price ? priceViewOf(price) : null,
		};
		return c.json(detail);
	});

export const usageDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/usage",
		summary: "Usage records, newest first, a page at a time (a user key sees only its own user's)",
		tag: "Usage",
		auth: "user",
		query: usageQuery,
		response: usagePage,
		errors: [403],
	},
	{
		method: "get",
		path: "/api/usage/export.csv",
		summary: "Every matching usage record as CSV (text/csv), streamed; the same filters as /api/usage",
		tag: "Usage",
		auth: "user",
		query: usageFilters,
		errors: [403],
	},
	{
		method: "get",
		path: "/api/usage/{request_id}",
		summary: "One request's usage with its ledger debit and the price version it was charged at",
		tag: "Usage",
		auth: "user",
		response: usageDetail,
		errors: [404],
	},
];
