import { GatewayError } from "../errors/gateway-error";
import { KEY_SCOPES, type KeyScope } from "../types/key-scope";

/**
 * Which scope each API surface needs of a key (README, "Scopes"). Reading or deleting a stored response
 * (GET/DELETE /v1/responses/{id}…) is stored conversation state, like /v1/conversations: `conversations`; creating
 * one is a model call: `relay`. An app key's /dify/v1 is a chat app: `relay`. A key on /api reads its usage,
 * billing, stats and own keys (and redeems codes): `usage`. First match wins, so the longer prefixes come first.
 */
const SURFACES: readonly { prefix: string; suffix?: string; scope: KeyScope; methods?: readonly string[] }[] = [
	{ prefix: "/v1/files", scope: "files" },
	{ prefix: "/v1/vector_stores", scope: "vector_stores" },
	{ prefix: "/v1/conversations", scope: "conversations" },
	{ prefix: "/v1/responses/", scope: "conversations", methods: ["GET", "DELETE"] },
	{ prefix: "/v1/batches", scope: "batches" },
	{ prefix: "/v1/messages/batches", scope: "batches" },
	{ prefix: "/v1beta/batches", scope: "batches" },
	{ prefix: "/v1beta/models/", suffix: ":batchGenerateContent", scope: "batches" },
	{ prefix: "/mem0/", scope: "memory" },
	{ prefix: "/dify/", scope: "relay" },
	{ prefix: "/v1/", scope: "relay" },
	{ prefix: "/v1beta/", scope: "relay" },
	{ prefix: "/v2/rerank", scope: "relay" },
	{ prefix: "/api/", scope: "usage" },
];

/** The scope a request needs of its key; undefined for a route no key reaches. */
export function scopeOf(method: string, path: string): KeyScope | undefined {
	return SURFACES.find(
		(s) => path.startsWith(s.prefix) && (s.suffix === undefined || path.endsWith(s.suffix)) && (s.methods === undefined || s.methods.includes(method)),
	)?.scope;
}

/** A key's effective scopes: its own (null: all) within its user's (null: all). */
export function effectiveScopes(keyScopes: readonly string[] | null, userScopes: readonly string[] | null): KeyScope[] {
	return KEY_SCOPES.filter((s) => (keyScopes === null || keyScopes.includes(s)) && (userScopes === null || userScopes.includes(s)));
}

/** Refuses (403) a key that lacks the scope a request needs, naming it. */
export function requireScope(scopes: readonly KeyScope[], needed: KeyScope | undefined): void {
	if (needed !== undefined && !scopes.includes(needed)) {
		throw new GatewayError("forbidden", `This key lacks the '${needed}' scope this API needs (its scopes: ${scopes.join(", ") || "none"})`, {
			param: "scopes",
		});
	}
}

/** Refuses (403, naming the field) scopes given to a key that its user does not have. */
export function withinUserScopes(requested: readonly string[] | null, userScopes: readonly string[] | null): void {
	if (userScopes === null || requested === null) return;
	const beyond = requested.filter((s) => !userScopes.includes(s));
	if (beyond.length > 0) {
		throw new GatewayError("forbidden", `The key's user does not have the scope${beyond.length > 1 ? "s" : ""} ${beyond.map((s) => `'${s}'`).join(", ")}`, {
			param: "scopes",
		});
	}
}
