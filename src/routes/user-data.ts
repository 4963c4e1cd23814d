import { type Context, Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { verifyPassword } from "../auth/password";
import { ADMIN_USER_ID } from "../auth/principal";
import { toUsd } from "../billing/money";
import type { UserRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { exportStream } from "../privacy/export";
import { beginPurge, continuePurge, REQUEST_PAGES } from "../privacy/purge";
import { forgetCallers } from "../relay/callers";
import { findUser } from "./shared/find";
import { idParam } from "./shared/params";
import { purgeQuery, purgeResult, selfPurgeBody } from "./user-data-schemas";

/** What a purge keeps: the accounts (amounts, token counts, models, times), never content. */
const KEPT = ["user row (anonymised)", "keys (revoked, anonymised)", "ledger_entries", "usage_logs", "usage_rollups", "audit_log"];

type PurgeResult = z.infer<typeof purgeResult>;

/**
 * Purges a user: marked and anonymised at once (nothing new can be made), then as much of their data as one request
 * may remove; the cron finishes the rest. One audit entry, when the purge begins, counts what it removes.
 */
async function purge(c: Context<AppEnv>, user: UserRow): Promise<Response> {
	if (user.id === ADMIN_USER_ID) throw new GatewayError("conflict", "The operator's own user cannot be deleted", { param: "id" });
	const removed = await beginPurge(c.env, user.id);
	// Keys are cached by the relay with their owner's status; other isolates drop theirs within the cache's bound.
	forgetCallers();
	const { done } = await continuePurge(c.env, user.id, REQUEST_PAGES);
	if (removed) {
		audit(c, { action: "user.purge", objectType: "user", objectId: user.id, userId: user.id, detail: { ...removed, completed: done } });
	}
	const body: PurgeResult = { id: user.id, status: "deleted", purge: done ? "completed" : "in_progress", removed: removed ?? null, kept: KEPT };
	return c.json(body, done ? 200 : 202);
}

function exportResponse(env: Env, user: UserRow): Response {
	const head = {
		type: "user",
		id: user.id,
		name: user.name,
		email: user.email,
		role: user.role,
		group: user.group,
		status: user.status,
		balance_usd: toUsd(user.balanceNusd),
		created_at: iso(user.createdAt),
		exported_at: new Date().toISOString(),
	};
	return new Response(exportStream(env, user.id, head), {
		headers: {
			"content-type": "application/x-ndjson; charset=utf-8",
			"content-disposition": `attachment; filename="user-${user.id}-export.jsonl"`,
			"cache-control": "no-store",
		},
	});
}

function self(c: Context<AppEnv>): number {
	const { userId } = c.get("principal");
	if (userId === null) throw new GatewayError("invalid_request", "The operator is not a user: use /api/users/{id} instead of /api/users/me");
	return userId;
}

// `/me` before `/:id`, as in src/routes/users.ts; src/auth/policy.ts gives `/me` to people and `/:id` to the operator.
export const userDataRoutes = new Hono<AppEnv>()
	.delete("/me", valid("query", purgeQuery), valid("json", selfPurgeBody), async (c) => {
		const user = await findUser(c.env, self(c));
		const { password } = c.req.valid("json");
		if (user.passwordHash !== null && (password === undefined || !(await verifyPassword(password, user.passwordHash)))) {
			throw new GatewayError("forbidden", "Enter your password to delete your data", { param: "password" });
		}
		return purge(c, user);
	})
	.get("/me/export", async (c) => exportResponse(c.env, await findUser(c.env, self(c))))
	.delete("/:id", valid("param", idParam), valid("query", purgeQuery), async (c) => purge(c, await findUser(c.env, c.req.valid("param").id)))
	.get("/:id/export", valid("param", idParam), async (c) => exportResponse(c.env, await findUser(c.env, c.req.valid("param").id)));

export const userDataDocs: OperationDoc[] = [
	{
		method: "delete",
		path: "/api/users/{id}",
		summary:
			"Purge a user (?purge=true): their files, vector stores and vectors, memories, conversations, stored responses and apps are deleted, their keys revoked, their name and email anonymised; ledger and usage stay. 202 while the cron finishes a large purge",
		tag: "Users",
		auth: "admin",
		query: purgeQuery,
		response: purgeResult,
		errors: [202, 404, 409],
	},
	{
		method: "delete",
		path: "/api/users/me",
		summary:
			'Delete my data (?purge=true, body {confirm: "delete my data", password}): the purge of DELETE /api/users/{id}, for oneself, from a dashboard session',
		tag: "Users",
		auth: "user",
		query: purgeQuery,
		body: selfPurgeBody,
		response: purgeResult,
		errors: [202, 403],
	},
	{ method: "get", path: "/api/users/{id}/export", summary: "A user's data as JSON Lines (an attachment)", tag: "Users", auth: "admin", errors: [404] },
	{ method: "get", path: "/api/users/me/export", summary: "My data as JSON Lines (an attachment)", tag: "Users", auth: "user" },
];
