import { eq } from "drizzle-orm";
import { Hono, type MiddlewareHandler } from "hono";
import type { z } from "zod";
import { pickLimits } from "../../durable-objects/governor-types";
import type { Principal } from "../auth/principal";
import { ownUserId } from "../auth/scope";
import { toUsd } from "../billing/money";
import { db } from "../db/client";
import { type TokenRow, tokens, users } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { newGatewayKey, sha256Hex } from "../lib/crypto";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { forgetCallers } from "../relay/callers";
import { governorStanding, limitColumns, limitsOf } from "./limit-schemas";
import { limitsChanged, standingOf } from "./shared/limits";
import { idParam } from "./shared/params";
import { tokenCreate, tokenCreated, tokenList, tokenPatch, tokenView } from "./token-schemas";

/** The bootstrap migration creates this user; keys the operator makes without an owner belong to it. A user's keys are their own. */
const ADMIN_USER_ID = 1;

const toMs = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : Date.parse(value));

function view(row: TokenRow): z.infer<typeof tokenView> {
	return {
		id: row.id,
		user_id: row.userId,
		name: row.name,
		key_prefix: row.keyPrefix,
		status: row.status,
		models: row.models ?? null,
		expires_at: iso(row.expiresAt),
		created_at: new Date(row.createdAt).toISOString(),
		last_used_at: iso(row.lastUsedAt),
		spent_usd: toUsd(row.spentNusd),
		...limitsOf(row),
	};
}

/** The key, if the principal may see it: any for the operator, only their own for a user (another's is "not found"). */
async function find(env: Env, id: number, principal: Principal): Promise<TokenRow> {
	const [row] = await db(env).select().from(tokens).where(eq(tokens.id, id)).limit(1);
	const own = ownUserId(principal);
	if (!row || (own !== undefined && row.userId !== own)) throw new GatewayError("not_found", `Token ${id} does not exist`);
	return row;
}

/**
 * Keys are managed by the operator or from a user's dashboard session, never with a gateway key: a leaked key
 * must not be able to mint the keys that would outlive its revocation.
 */
function notByKey(): MiddlewareHandler<AppEnv> {
	return async function notByKey(c, next) {
		const principal = c.get("principal");
		if (principal.role === "user" && principal.tokenId !== null) {
			throw new GatewayError("forbidden", "Keys are managed from a dashboard session (POST /api/auth/login), not with a gateway key");
		}
		await next();
	};
}

export const tokenRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const own = ownUserId(c.get("principal"));
		const rows = await db(c.env)
			.select()
			.from(tokens)
			.where(own === undefined ? undefined : eq(tokens.userId, own))
			.orderBy(tokens.id);
		return c.json({ data: rows.map(view) });
	})
	.post("/", notByKey(), valid("json", tokenCreate), async (c) => {
		const input = c.req.valid("json");
		const own = ownUserId(c.get("principal"));
		if (own !== undefined && input.user_id !== undefined && input.user_id !== own) {
			throw new GatewayError("forbidden", "A user may create keys only for themselves", { param: "user_id" });
		}
		const userId = own ?? input.user_id ?? ADMIN_USER_ID;
		const [owner] = await db(c.env).select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
		if (!owner) throw new GatewayError("not_found", `User ${userId} does not exist`, { param: "user_id" });
		const key = newGatewayKey();
		const [row] = await db(c.env)
			.insert(tokens)
			.values({
				userId,
				name: input.name,
				keyHash: await sha256Hex(key),
				keyPrefix: `${key.slice(0, 7)}…`,
				models: input.models ?? null,
				expiresAt: toMs(input.expires_at) ?? null,
				...limitColumns(input),
			})
			.returning();
		if (!row) throw new Error("insert returned no row");
		return c.json({ ...view(row), key }, 201);
	})
	.get("/:id", valid("param", idParam), async (c) => c.json(view(await find(c.env, c.req.valid("param").id, c.get("principal")))))
	.patch("/:id", notByKey(), valid("param", idParam), valid("json", tokenPatch), async (c) => {
		const { id } = c.req.valid("param");
		const input = c.req.valid("json");
		const current = await find(c.env, id, c.get("principal"));
		// A user may disable their key, but a disabled key may have been disabled by the operator.
		if (c.get("principal").role === "user" && current.status === "disabled" && input.status === "active") {
			throw new GatewayError("forbidden", "Only the operator may re-enable a disabled key", { param: "status" });
		}
		const changes = Object.fromEntries(
			Object.entries({ name: input.name, status: input.status, models: input.models, expiresAt: toMs(input.expires_at) }).filter(([, v]) => v !== undefined),
		);
		const limits = limitColumns(input);
		if (Object.keys(changes).length === 0 && Object.keys(limits).length === 0) return c.json(view(current));
		const [row] = await db(c.env)
			.update(tokens)
			.set({ ...changes, ...limits })
			.where(eq(tokens.id, id))
			.returning();
		if (!row) throw new GatewayError("not_found", `Token ${id} does not exist`);
		if (Object.keys(limits).length > 0) await limitsChanged(c.env, { kind: "token", id: String(id) }, pickLimits(row));
		else forgetCallers();
		return c.json(view(row));
	})
	.get("/:id/limits", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		return c.json(await standingOf(c.env, { kind: "token", id: String(id) }, pickLimits(await find(c.env, id, c.get("principal")))));
	})
	.delete("/:id", notByKey(), valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		await find(c.env, id, c.get("principal"));
		await db(c.env).delete(tokens).where(eq(tokens.id, id));
		forgetCallers();
		return c.body(null, 204);
	});

export const tokenDocs: OperationDoc[] = [
	{ method: "get", path: "/api/tokens", summary: "List gateway keys (never the keys themselves)", tag: "Tokens", auth: "user", response: tokenList },
	{
		method: "post",
		path: "/api/tokens",
		summary: "Create a gateway key; the key is shown only in this response",
		tag: "Tokens",
		auth: "user",
		body: tokenCreate,
		response: tokenCreated,
		errors: [201, 404],
	},
	{ method: "get", path: "/api/tokens/{id}", summary: "Get a gateway key's details", tag: "Tokens", auth: "user", response: tokenView, errors: [404] },
	{
		method: "patch",
		path: "/api/tokens/{id}",
		summary: "Rename, restrict, expire, limit, disable or re-enable a key",
		tag: "Tokens",
		auth: "user",
		body: tokenPatch,
		response: tokenView,
		errors: [404],
	},
	{
		method: "get",
		path: "/api/tokens/{id}/limits",
		summary: "A key's live rate-limit windows, requests in flight and spend against its budgets",
		tag: "Tokens",
		auth: "user",
		response: governorStanding,
		errors: [404],
	},
	{ method: "delete", path: "/api/tokens/{id}", summary: "Revoke a key for good", tag: "Tokens", auth: "user", errors: [204, 404] },
];
