import { GatewayError } from "../errors/gateway-error";
import { inRanges } from "../lib/cidr";
import type { CallerKey } from "../types/caller";
import { ADMIN_USER_ID, isKey, type Principal } from "./principal";
import { requireScope, scopeOf } from "./scopes";

/**
 * Every "may this principal do this to that" question of the API, answered here and nowhere else: routes ask,
 * they do not decide. Two kinds of question:
 * - who may call a route at all (`routeAccess`, enforced for every /api route by the `authorize` middleware);
 * - whose data a caller may see or touch (`ownerScope`, `scopeToOwner`, `mayTouch`, …), asked by the routes with
 *   the object's owner in hand.
 */

/**
 * - `public`: no credential needed.
 * - `any`: anyone signed in — the operator, a user's session or a gateway key; a user only ever reaches their own data.
 * - `person`: someone signed in to the dashboard (a user's or the operator's session) or the operator's token, never a
 *   gateway key: a leaked key must not be able to mint keys that outlive its revocation, nor act as another key.
 * - `operator`: the operator's token or session, or the session of a user with the admin role.
 * - `operator-token`: ADMIN_TOKEN itself, to be traded for an operator session. An admin-role user has a session of
 *   their own, which ends with their password; an operator session would outlive it.
 */
export type Access = "public" | "any" | "person" | "operator" | "operator-token";

/**
 * Who may call each /api route, by method and Hono path. A route missing here is the operator's alone (deny by
 * default), and test/integration/policy.test.ts fails until it is listed.
 */
export const routeAccess = {
	"GET /api/openapi.json": "public",
	"POST /api/auth/login": "public",
	"POST /api/auth/session": "operator-token",
	"POST /api/auth/logout": "person",
	"GET /api/auth/me": "any",
	// Anyone holding a leaked key may report it; mounted before /api's authentication, like the login.
	"POST /api/security/leaked-keys": "public",

	"GET /api/channels": "operator",
	"POST /api/channels": "operator",
	"GET /api/channels/types": "operator",
	"GET /api/channels/:id": "operator",
	"PATCH /api/channels/:id": "operator",
	"DELETE /api/channels/:id": "operator",
	"POST /api/channels/:id/test": "operator",
	"GET /api/channels/:id/health": "operator",
	"POST /api/channels/:id/health/reset": "operator",
	"GET /api/channels/:id/probes": "operator",

	"GET /api/models": "operator",
	"PUT /api/models/:name": "operator",
	"DELETE /api/models/:name": "operator",

	"GET /api/tokens": "any",
	"POST /api/tokens": "person",
	"GET /api/tokens/:id": "any",
	"PATCH /api/tokens/:id": "person",
	"DELETE /api/tokens/:id": "person",
	"GET /api/tokens/:id/limits": "any",
	// A key may not rotate itself: a leaked key must not be able to mint its own successor.
	"POST /api/tokens/:id/rotate": "person",

	"GET /api/users/me": "any",
	"GET /api/users": "operator",
	"POST /api/users": "operator",
	"GET /api/users/:id": "operator",
	"PATCH /api/users/:id": "operator",
	"GET /api/users/:id/limits": "operator",
	// A person's own data: a gateway key may neither export it all nor delete it.
	"DELETE /api/users/me": "person",
	"GET /api/users/me/export": "person",
	"DELETE /api/users/:id": "operator",
	"GET /api/users/:id/export": "operator",

	"GET /api/groups": "operator",
	"PUT /api/groups/:group": "operator",
	"GET /api/groups/:group/limits": "operator",

	"GET /api/prices": "any",
	"GET /api/prices/:model": "any",
	"PUT /api/prices/:model": "operator",
	"DELETE /api/prices/:model": "operator",

	"GET /api/usage": "any",
	"GET /api/usage/export.csv": "any",
	"GET /api/usage/:request_id": "any",

	"GET /api/audit": "any",
	"GET /api/audit/export.csv": "any",

	"GET /api/billing/ledger": "any",
	"GET /api/billing/balance": "any",
	"POST /api/billing/topup": "operator",
	"POST /api/billing/adjust": "operator",
	"GET /api/billing/reconcile": "operator",

	"POST /api/redemptions": "operator",
	"GET /api/redemptions": "operator",
	"POST /api/redemptions/redeem": "any",

	"GET /api/stats/timeseries": "any",
	"GET /api/stats/top": "any",
	"POST /api/stats/refresh": "operator",
	"GET /api/stats/refusals": "operator",

	"GET /api/playground/models": "person",
	"POST /api/playground/chat/completions": "person",
	"POST /api/playground/responses": "person",

	// The Chat page's conversations: a user's own (a key reads them too, as it can through /v1/conversations).
	"GET /api/conversations": "any",
	"POST /api/conversations": "person",
	"GET /api/conversations/:id": "any",
	"PATCH /api/conversations/:id": "person",
	"DELETE /api/conversations/:id": "person",
	"PUT /api/conversations/:id/turns/:turn_id/feedback": "person",
	"POST /api/conversations/:id/summarize": "person",

	// Chat apps and their keys: a person's own apps (the operator's, anyone's); a gateway key may not mint app keys.
	"GET /api/apps": "person",
	"POST /api/apps": "person",
	"GET /api/apps/:id": "person",
	"PATCH /api/apps/:id": "person",
	"DELETE /api/apps/:id": "person",
	"GET /api/apps/:id/keys": "person",
	"POST /api/apps/:id/keys": "person",
	"DELETE /api/apps/:id/keys/:key_id": "person",

	// A person's own cached answers (the operator's, anyone's); a gateway key may not purge, as it may not change keys.
	"DELETE /api/cache": "person",

	"GET /api/jobs/dead": "operator",
	"GET /api/jobs/dead/:id": "operator",
	"POST /api/jobs/dead/:id/replay": "operator",
	"POST /api/jobs/dead/:id/discard": "operator",
	"GET /api/jobs": "operator",
	"POST /api/jobs/:queue/pause": "operator",
	"POST /api/jobs/:queue/resume": "operator",
	"GET /api/alerts/rules": "operator",
	"POST /api/alerts/rules": "operator",
	"GET /api/alerts/rules/:id": "operator",
	"PATCH /api/alerts/rules/:id": "operator",
	"DELETE /api/alerts/rules/:id": "operator",
	"GET /api/alerts/firings": "operator",
	"GET /api/security/encryption": "operator",
} as const satisfies Record<string, Access>;

/** The access a route needs; operator-only unless listed. */
export function accessOf(method: string, path: string): Access {
	const listed: Record<string, Access> = routeAccess;
	return listed[`${method} ${path}`] ?? "operator";
}

export function mayCall(principal: Principal | undefined, access: Access): boolean {
	if (access === "public") return true;
	if (!principal) return false;
	if (access === "any") return true;
	if (access === "person") return !isKey(principal);
	if (access === "operator-token") return principal.role === "admin" && principal.userId === null && principal.sessionId === null;
	return principal.role === "admin";
}

/** Why a route refused a principal, said so that they know what would be allowed. */
export function refusal(access: Access): GatewayError {
	if (access === "person") {
		return new GatewayError("forbidden", "This needs a dashboard session (POST /api/auth/login) or the operator, not a gateway key");
	}
	if (access === "operator-token") return new GatewayError("forbidden", "Only ADMIN_TOKEN itself can be traded for an operator session");
	return new GatewayError("forbidden", "Only the operator (ADMIN_TOKEN) may do this");
}

/** The user whose data a principal sees: undefined for the operator (everyone's), their own for a user. */
export function ownerScope(principal: Principal): number | undefined {
	return principal.role === "user" ? principal.userId : undefined;
}

/**
 * The user a read is narrowed to when the caller names one (`requested`): the operator reads anyone's (or, naming
 * nobody, everyone's); a user reads only their own, and naming another user is refused (403) rather than silently
 * narrowed, so that a script with the wrong key fails loudly instead of showing someone an empty page.
 */
export function scopeToOwner(principal: Principal, requested: number | undefined, param = "user_id"): number | undefined {
	const own = ownerScope(principal);
	if (own === undefined) return requested;
	if (requested !== undefined && requested !== own) throw new GatewayError("forbidden", "You may only reach your own user's data", { param });
	return own;
}

/** Whether a principal may see or change an object owned by `ownerId`; routes answer "not found" when not, so that ids do not leak. */
export function mayTouch(principal: Principal, ownerId: number | null): boolean {
	const own = ownerScope(principal);
	return own === undefined || own === ownerId;
}

/**
 * The user whose keys a dashboard session may act as where it names one in `x-gateway-key-id`: the knowledge routes
 * (/v1/files, /v1/vector_stores), which need a key to embed and bill with, and Mem0's API (/mem0), whose memories
 * belong to the key's user. Its own user's keys only, the operator's session standing for the admin user (the
 * operator's own account). Unlike the playground, the operator may not act as another user's key there: files,
 * stores and memories are their user's alone, 404 to anyone else, and acting as the key would be acting as the user.
 */
export function sessionKeyOwner(principal: Principal): number {
	return principal.userId ?? ADMIN_USER_ID;
}

/**
 * The user whose audit entries a principal reads: the operator everyone's (or the user named), a user only the
 * entries about them (their own actions, and others' on their objects); naming another user is refused (403).
 */
export function auditOwner(principal: Principal, requested: number | undefined): number | undefined {
	return scopeToOwner(principal, requested);
}

/**
 * Whose response-cache entries a purge (DELETE /api/cache) reaches: the operator's, anyone's, and every user's
 * (null) unless they name one; a signed-in user's, only their own, whether or not they name themself (naming another
 * is 403). A key named by the purge must be within that reach (`mayTouch`, "not found" otherwise), and the purge
 * is then its owner's. A gateway key may not purge at all (routeAccess).
 */
export function cachePurgeOwner(principal: Principal, requested: number | undefined): number | null {
	return scopeToOwner(principal, requested) ?? null;
}

/** May this principal re-enable a key that is disabled? The operator may have disabled it: only the operator. */
export function mayReenableKey(principal: Principal): boolean {
	return principal.role === "admin";
}

/**
 * May this principal unlock a key that anomaly detection or a leak report locked? Its owner, signed in, or the
 * operator; never a gateway key (a key that was stolen must not unlock itself or its siblings).
 */
export function mayUnlockKey(principal: Principal, ownerId: number): boolean {
	return !isKey(principal) && mayTouch(principal, ownerId);
}

/**
 * May this principal set how many lines of a key's batches run at once? It spends the channels' capacity, which is
 * the operator's to share out: only the operator.
 */
export function maySetBatchConcurrency(principal: Principal): boolean {
	return principal.role === "admin";
}

/** Whether the limits a principal writes on a key are the operator's bounds (a user may then only tighten them) or the user's own. */
export function setsOperatorLimits(principal: Principal): boolean {
	return principal.role === "admin";
}

/**
 * The gateway user whose memories (the /mem0 API) a key reaches: its own user's, and only those. Memories, their
 * history and the add events belong to the user whose key made them; every query is narrowed to this owner, so
 * another user's memory is "not found" and never listed, searched or counted, whatever entity ids the request names
 * (entity `alice` of one user is not `alice` of another).
 */
export function memoryOwner(caller: CallerKey): number {
	return caller.userId;
}

/**
 * The gateway user whose conversations (/v1/conversations) a key reaches: its own user's. Every read and write is
 * narrowed to this owner, so another user's conversation or item is "not found", never listed or changed.
 */
export function conversationOwner(caller: CallerKey): number {
	return caller.userId;
}

/**
 * The apps (/api/apps) a principal manages: a user their own (another's is "not found"), the operator every app
 * (undefined). A new app is the principal's own; the operator may make one for a user by naming them.
 */
export function appOwner(principal: Principal): number | undefined {
	return ownerScope(principal);
}

/** Whose a new app is: the operator names anyone (the admin user by default); a user only themself (403 otherwise). */
export function newAppOwner(principal: Principal, requested: number | undefined): number {
	return scopeToOwner(principal, requested) ?? ADMIN_USER_ID;
}

/**
 * What an app key reaches at /dify/v1: its own app, and within it only the conversations of the end user a request
 * names (Dify's `user`); another end user's conversation, or another app's, is "not found".
 */
export function difyScope(caller: CallerKey, endUser: string): { ownerId: number; appId: string; endUser: string } {
	if (caller.appId === null) throw new GatewayError("unauthorized", "An app key is needed here");
	return { ownerId: caller.userId, appId: caller.appId, endUser };
}

/**
 * Whether a key may call the API surface a request is for (src/auth/scopes.ts): its effective scopes came with the
 * cached key, so this costs no read. 403 naming the missing scope, in the dialect of the API called.
 */
export function keyMayReach(caller: CallerKey, method: string, path: string): void {
	requireScope(caller.scopes, scopeOf(method, path));
}

/** Whether a key a dashboard page acts as (the playground, the Chat page) may make model calls: its `relay` scope. */
export function keyMayRelay(caller: CallerKey): void {
	requireScope(caller.scopes, "relay");
}

/**
 * Whether a key may be used from `address` (Cloudflare's `cf-connecting-ip`): anywhere unless it has an IP
 * allow-list. Asked only when the key's secret is presented; a dashboard session acting as a key is a person
 * signed in, not the key's secret in use.
 */
export function keyMayComeFrom(caller: CallerKey, address: string | undefined): void {
	if (caller.ipAllow === null) return;
	if (address === undefined || !inRanges(address, caller.ipAllow)) {
		throw new GatewayError("forbidden", "This key may not be used from this address (its IP allow-list)", { param: "ip_allow" });
	}
}
