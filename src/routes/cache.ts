import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { cachePurgeOwner } from "../auth/policy";
import type { Principal } from "../auth/principal";
import { type PurgeScope, purgeCache } from "../cache/purge";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { type PurgeQuery, purgeQuery, purgeResult } from "./cache-schemas";
import { findKey } from "./shared/find";

/** What a purge asked for reaches, as the policy allows it: a key's purge is its owner's, if the principal may touch that key. */
async function purgeScopeOf(env: Env, principal: Principal, q: PurgeQuery): Promise<PurgeScope> {
	const userId = cachePurgeOwner(principal, q.user_id);
	if (q.key_id === undefined) return { userId, keyId: null, model: q.model ?? null };
	const key = await findKey(env, q.key_id, principal, "key_id");
	if (userId !== null && userId !== key.userId) throw new GatewayError("not_found", `Token ${q.key_id} does not exist`, { param: "key_id" });
	return { userId: key.userId, keyId: q.key_id, model: q.model ?? null };
}

/** The response cache (src/cache), mounted at /api/cache: purged by the operator, or by a user of their own entries. */
export const cacheRoutes = new Hono<AppEnv>().delete("/", valid("query", purgeQuery), async (c) => {
	const scope = await purgeScopeOf(c.env, c.get("principal"), c.req.valid("query"));
	const outcome = await purgeCache(c.env, scope, (work) => c.executionCtx.waitUntil(work));
	const result: z.infer<typeof purgeResult> = {
		object: "cache.purge",
		id: outcome.id,
		user_id: scope.userId,
		key_id: scope.keyId,
		model: scope.model,
		at: new Date(outcome.at).toISOString(),
		deleted: outcome.deleted,
		more: outcome.more,
	};
	audit(c, {
		action: "cache.purge",
		objectType: "cache_purge",
		objectId: outcome.id,
		userId: scope.userId,
		detail: { user_id: scope.userId, key_id: scope.keyId, model: scope.model, deleted: outcome.deleted, more: outcome.more },
	});
	return c.json(result);
});

export const cacheDocs: OperationDoc[] = [
	{
		method: "delete",
		path: "/api/cache",
		summary:
			"Purge the response cache: a key's, a model's or a user's entries, or all=true (the operator: every user's; a user: all of their own). No matching entry stored until now is served again; the entries are deleted from storage, the first ones before the answer",
		tag: "Cache",
		auth: "user",
		query: purgeQuery,
		response: purgeResult,
		errors: [403, 404],
	},
];
