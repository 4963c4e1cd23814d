// Deleting a user's data: DELETE /api/users/{id}?purge=true (the operator) and DELETE /api/users/me?purge=true (the user).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { vectorIndex } from "../../src/knowledge/vector-index";
import { memoryNamespace } from "../../src/memory/vectors";
import { beginPurge, continuePurge, purgeUpkeep } from "../../src/privacy/purge";
import { forgetCallers } from "../../src/relay/callers";
import type { reconcileReport } from "../../src/routes/billing-schemas";
import type { purgeResult } from "../../src/routes/user-data-schemas";
import { as, signedInUser } from "../support/apps";
import { awaitAudit } from "../support/audit";
import { admin, call, createKey, uid } from "../support/gateway";
import { DIMENSIONS, dataRows, PASSWORD, type SeededUser, seededUser } from "../support/user-data";

type Purge = z.infer<typeof purgeResult>;

const reconcile = async () => (await admin("GET", "/api/billing/reconcile")).json<z.infer<typeof reconcileReport>>();

const login = (email: string) =>
	call("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": `10.3.0.${Math.floor(Math.random() * 250)}` },
		body: JSON.stringify({ email, password: PASSWORD }),
	});

/** What is left of a user's data where a client or an operator could find it: R2, the vector index, D1. */
async function leftOf(u: SeededUser) {
	const index = vectorIndex(env, DIMENSIONS);
	const inStore = await index.query([1, 0, 0], { namespace: u.storeId, topK: 5 });
	const inMemories = await index.query([0, 1, 0], { namespace: memoryNamespace(u.id), topK: 5 });
	return {
		object: (await env.FILES.get(u.r2Key)) !== null,
		vectors: (await index.getByIds([u.chunkId, u.memoryId])).length + inStore.matches.length + inMemories.matches.length,
		rows: Object.values(await dataRows(u.id)).reduce((a, b) => a + b, 0),
	};
}

describe("purging a user", () => {
	it("removes their files, vectors, memories, conversations, apps and batches, revokes their keys, and keeps the ledger reconciled", async () => {
		const [gone, kept] = [await seededUser(), await seededUser()];
		expect(await leftOf(gone)).toMatchObject({ object: true, vectors: 4 });

		const res = await admin("DELETE", `/api/users/${gone.id}?purge=true`);
		expect(res.status).toBe(200);
		const body = await res.json<Purge>();
		expect(body).toMatchObject({ id: gone.id, status: "deleted", purge: "completed" });
		expect(body.removed).toEqual({
			files: 1,
			vector_stores: 1,
			memories: 1,
			conversations: 1,
			stored_responses: 1,
			apps: 1,
			batches: 1,
			keys_revoked: 2,
			sessions_ended: 0,
		});

		expect(await leftOf(gone)).toEqual({ object: false, vectors: 0, rows: 0 });
		// Keys, the app's key and the sign-in are refused.
		expect((await as(gone.key, "GET", "/api/users/me")).status).toBe(401);
		expect((await call("/v1/models", { headers: { authorization: `Bearer ${gone.key}` } })).status).toBe(401);
		expect((await call("/dify/v1/parameters", { headers: { authorization: `Bearer ${gone.appKey}` } })).status).toBe(401);
		expect((await login(gone.email)).status).toBe(401);

		const user = await (await admin("GET", `/api/users/${gone.id}`)).json<Record<string, unknown>>();
		expect(user).toMatchObject({ name: `deleted-${gone.id}`, email: null, has_password: false, status: "deleted" });
		// The key rows stay for the ledger, unusable and anonymised; the ledger and the usage log keep the accounts.
		const keyRow = await env.DB.prepare("SELECT name, status, key_hash, spent_nusd FROM tokens WHERE id = ?1").bind(gone.keyId).first();
		expect(keyRow).toMatchObject({ name: "deleted", status: "disabled", spent_nusd: 4_000 });
		expect(String(keyRow?.key_hash)).toMatch(/^purged-/);
		const ledger = await env.DB.prepare("SELECT count(*) AS n, sum(amount_nusd) AS total FROM ledger_entries WHERE user_id = ?1").bind(gone.id).first();
		expect(ledger).toEqual({ n: 2, total: 5_000_000_000 - 4_000 });
		expect(await env.DB.prepare("SELECT cost_nusd FROM usage_logs WHERE request_id = ?1").bind(gone.requestId).first()).toEqual({ cost_nusd: 4_000 });
		const books = await reconcile();
		expect(books.problems.filter((p) => p.id === gone.id || p.id === gone.keyId)).toEqual([]);

		// Nobody else's data was touched.
		expect(await leftOf(kept)).toEqual({ object: true, vectors: 4, rows: 13 });
		expect((await as(kept.key, "GET", "/api/users/me")).status).toBe(200);

		const [entry] = await awaitAudit("user.purge", gone.id);
		expect(JSON.parse(entry?.diff ?? "{}").detail).toMatchObject({ files: 1, memories: 1, conversations: 1, keys_revoked: 2, completed: true });
		// Asking again does no more and records nothing more.
		const again = await admin("DELETE", `/api/users/${gone.id}?purge=true`);
		expect(await again.json<Purge>()).toMatchObject({ purge: "completed", removed: null });
		await new Promise((r) => setTimeout(r, 300));
		expect(await awaitAudit("user.purge", gone.id)).toHaveLength(1);
		// A purged user stays purged.
		expect((await admin("PATCH", `/api/users/${gone.id}`, { status: "active" })).status).toBe(409);
	});

	it("is done in bounded steps: a purge a request leaves unfinished is finished by the cron", async () => {
		const u = await seededUser();
		expect(await beginPurge(env, u.id)).toMatchObject({ files: 1, keys_revoked: 2 });
		// As the route does: this isolate's cached keys are dropped at once.
		forgetCallers();
		// From the moment it begins, the user can neither call nor sign in.
		expect((await as(u.key, "GET", "/api/users/me")).status).toBe(401);
		expect(await continuePurge(env, u.id, 2)).toEqual({ done: false, used: 2 });
		expect((await leftOf(u)).rows).toBeGreaterThan(0);
		const status = await env.DB.prepare("SELECT status, deleted_at FROM users WHERE id = ?1").bind(u.id).first();
		expect(status).toEqual({ status: "deleted", deleted_at: null });

		await purgeUpkeep(env, Date.now());
		expect(await leftOf(u)).toEqual({ object: false, vectors: 0, rows: 0 });
		const done = await env.DB.prepare("SELECT deleted_at FROM users WHERE id = ?1").bind(u.id).first<{ deleted_at: number | null }>();
		expect(done?.deleted_at).toBeTypeOf("number");
	});

	it("asks for ?purge=true, and never deletes the operator's own user", async () => {
		const { id } = await (await admin("POST", "/api/users", { name: `p-${uid()}` })).json<{ id: number }>();
		expect((await admin("DELETE", `/api/users/${id}`)).status).toBe(400);
		expect((await admin("DELETE", `/api/users/${id}?purge=yes`)).status).toBe(400);
		expect((await admin("DELETE", "/api/users/1?purge=true")).status).toBe(409);
		expect((await admin("DELETE", "/api/users/999999?purge=true")).status).toBe(404);
		const { key } = await createKey({ user_id: id });
		expect((await as(key, "DELETE", `/api/users/${id}?purge=true`)).status).toBe(403);
	});
});

describe("deleting my data", () => {
	it("takes a session, the confirmation phrase and the password, then ends the session", async () => {
		const { id, session } = await signedInUser();
		const { key } = await createKey({ user_id: id });
		const confirm = "delete my data";
		expect((await as(key, "DELETE", "/api/users/me?purge=true", { confirm, password: "correct horse" })).status).toBe(403);
		expect((await as(session, "DELETE", "/api/users/me?purge=true", { confirm: "yes", password: "correct horse" })).status).toBe(400);
		expect((await as(session, "DELETE", "/api/users/me?purge=true", { confirm })).status).toBe(403);
		expect((await as(session, "DELETE", "/api/users/me?purge=true", { confirm, password: "wrong horse" })).status).toBe(403);
		expect((await as(session, "GET", "/api/users/me")).status).toBe(200);

		const res = await as(session, "DELETE", "/api/users/me?purge=true", { confirm, password: "correct horse" });
		expect(res.status).toBe(200);
		expect(await res.json<Purge>()).toMatchObject({ id, purge: "completed", removed: { keys_revoked: 1, sessions_ended: 1 } });
		expect((await as(session, "GET", "/api/users/me")).status).toBe(401);
		expect((await as(key, "GET", "/api/users/me")).status).toBe(401);
		const [entry] = await awaitAudit("user.purge", id);
		expect(entry).toMatchObject({ actor_type: "user", actor_id: id, user_id: id });
	});

	it("is refused to the operator, who is not a user", async () => {
		expect((await admin("DELETE", "/api/users/me?purge=true", { confirm: "delete my data" })).status).toBe(400);
	});
});
