import { and, desc, eq, lt } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { scopeToOwner } from "../auth/policy";
import { appendEntry, type LedgerKind } from "../billing/ledger";
import { toNusd, toUsd } from "../billing/money";
import { reconcile } from "../billing/reconcile";
import { db } from "../db/client";
import { ledgerEntries } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { adjustBody, balanceQuery, balanceView, ledgerEntryView, ledgerPage, ledgerQuery, reconcileReport, topupBody } from "./billing-schemas";
import { findUser } from "./shared/find";
import { ledgerView } from "./shared/ledger-view";
import { encodeCursor } from "./shared/pagination";

interface Credit {
	userId: number;
	amountUsd: number;
	note: string | undefined;
	idempotencyKey: string | undefined;
}

/**
 * A credit or debit by the operator. With an idempotency key, a retry returns the entry the first call wrote
 * (201 again, flagged by `idempotent-replayed: true`) and moves no money; the key is namespaced by kind so that
 * it can never collide with the keys the gateway makes for usage and redemptions.
 */
async function operatorEntry(
	env: Env,
	kind: LedgerKind,
	input: Credit,
): Promise<{ entry: z.infer<typeof ledgerEntryView>; created: boolean; headers: Record<string, string> }> {
	await findUser(env, input.userId, "user_id");
	const amountNusd = toNusd(input.amountUsd);
	const { entry, created } = await appendEntry(db(env), {
		userId: input.userId,
		kind,
		amountNusd,
		idempotencyKey: `${kind}:${input.idempotencyKey ?? crypto.randomUUID()}`,
		note: input.note ?? null,
	});
	if (!created && (entry.userId !== input.userId || entry.amountNusd !== amountNusd)) {
		throw new GatewayError("conflict", "This idempotency_key was already used for a different user or amount", { param: "idempotency_key" });
	}
	return { entry: ledgerView(entry), created, headers: created ? {} : { "idempotent-replayed": "true" } };
}

export const billingRoutes = new Hono<AppEnv>()
	.get("/ledger", valid("query", ledgerQuery), async (c) => {
		const { limit, cursor, kind, token_id: tokenId, user_id: requested } = c.req.valid("query");
		const userId = scopeToOwner(c.get("principal"), requested);
		const rows = await db(c.env)
			.select()
			.from(ledgerEntries)
			.where(
				and(
					userId === undefined ? undefined : eq(ledgerEntries.userId, userId),
					tokenId === undefined ? undefined : eq(ledgerEntries.tokenId, tokenId),
					kind === undefined ? undefined : eq(ledgerEntries.kind, kind),
					cursor === undefined ? undefined : lt(ledgerEntries.id, cursor),
				),
			)
			.orderBy(desc(ledgerEntries.id))
			.limit(limit + 1);
		const page = rows.slice(0, limit);
		const last = page.at(-1);
		return c.json({ data: page.map(ledgerView), next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null });
	})
	.get("/balance", valid("query", balanceQuery), async (c) => {
		const userId = scopeToOwner(c.get("principal"), c.req.valid("query").user_id);
		if (userId === undefined) throw new GatewayError("invalid_request", "Name the user: ?user_id=", { param: "user_id" });
		const user = await findUser(c.env, userId, "user_id");
		return c.json({ user_id: user.id, balance_usd: toUsd(user.balanceNusd) });
	})
	.post("/topup", valid("json", topupBody), async (c) => {
		const input = c.req.valid("json");
		const { entry, created, headers } = await operatorEntry(c.env, "topup", {
			userId: input.user_id,
			amountUsd: input.amount_usd,
			note: input.note,
			idempotencyKey: input.idempotency_key,
		});
		// A replayed retry moved no money: the first call's entry is the record.
		if (created) audit(c, { action: "billing.topup", objectType: "ledger_entry", objectId: entry.id, userId: input.user_id, after: entry });
		return c.json(entry, 201, headers);
	})
	.post("/adjust", valid("json", adjustBody), async (c) => {
		const input = c.req.valid("json");
		const { entry, created, headers } = await operatorEntry(c.env, "adjustment", {
			userId: input.user_id,
			amountUsd: input.amount_usd,
			note: input.note,
			idempotencyKey: input.idempotency_key,
		});
		if (created) audit(c, { action: "billing.adjust", objectType: "ledger_entry", objectId: entry.id, userId: input.user_id, after: entry });
		return c.json(entry, 201, headers);
	})
	.get("/reconcile", async (c) => {
		const r = await reconcile(c.env);
		const report: z.infer<typeof reconcileReport> = {
			drift_usd: toUsd(r.driftNusd),
			users_checked: r.usersChecked,
			tokens_checked: r.tokensChecked,
			usage_cost_usd: toUsd(r.usageCostNusd),
			ledger_usage_usd: toUsd(r.ledgerUsageNusd),
			uncharged_requests: r.unchargedRequests,
			uncharged_cost_usd: toUsd(r.unchargedCostNusd),
			unrecorded_requests: r.unrecordedRequests,
			unrecorded_cost_usd: toUsd(r.unrecordedCostNusd),
			problems: r.problems.map((p) => ({
				kind: p.kind,
				id: p.id,
				expected_usd: toUsd(p.expectedNusd),
				actual_usd: toUsd(p.actualNusd),
				drift_usd: toUsd(Math.abs(p.actualNusd - p.expectedNusd)),
			})),
			checked_at: new Date().toISOString(),
		};
		return c.json(report);
	});

export const billingDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/billing/ledger",
		summary: "Ledger entries, newest first, a page at a time (a user key sees only its own user's)",
		tag: "Billing",
		auth: "user",
		query: ledgerQuery,
		response: ledgerPage,
		errors: [403],
	},
	{
		method: "get",
		path: "/api/billing/balance",
		summary: "A user's balance: the caller's own with a user key; the operator names the user",
		tag: "Billing",
		auth: "user",
		query: balanceQuery,
		response: balanceView,
		errors: [403, 404],
	},
	{
		method: "post",
		path: "/api/billing/topup",
		summary: "Credit a user's balance; an idempotency_key makes a retried top-up apply once",
		tag: "Billing",
		auth: "admin",
		body: topupBody,
		response: ledgerEntryView,
		errors: [201, 403, 404, 409],
	},
	{
		method: "post",
		path: "/api/billing/adjust",
		summary: "Correct a user's balance by a signed amount, with a note saying why",
		tag: "Billing",
		auth: "admin",
		body: adjustBody,
		response: ledgerEntryView,
		errors: [201, 403, 404, 409],
	},
	{
		method: "get",
		path: "/api/billing/reconcile",
		summary:
			"Check balances, key spends and usage costs against the ledger, and the usage log against served requests whose records are spooled or dead-lettered; drift_usd is 0 when they agree",
		tag: "Billing",
		auth: "admin",
		response: reconcileReport,
		errors: [403],
	},
];
