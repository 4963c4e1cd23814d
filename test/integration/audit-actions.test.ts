import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { REDACTED } from "../../src/audit/redact";
import { type AuditRow, awaitAudit } from "../support/audit";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { ask, userWithKey } from "../support/dify";
import { call, createChannel, uid, upstream } from "../support/gateway";
import { newOwner } from "../support/mem0-api";

// Every request comes from here, so that each entry's address can be checked.
const IP = "198.51.100.23";
const AGENT = "audit-actions-test";

function send(token: string | null, method: string, path: string, body?: unknown, scheme = "Bearer"): Promise<Response> {
	return call(path, {
		method,
		headers: {
			...(token === null ? {} : { authorization: `${scheme} ${token}` }),
			"content-type": "application/json",
			"cf-connecting-ip": IP,
			"user-agent": AGENT,
		},
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
}

const op = (method: string, path: string, body?: unknown) => send(TEST_ADMIN_TOKEN, method, path, body);

async function ok<T>(res: Promise<Response>, status = 200): Promise<{ res: Response; body: T }> {
	const r = await res;
	if (r.status !== status) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
	return { res: r, body: status === 204 ? (undefined as T) : await r.json<T>() };
}

async function upload(key: string): Promise<string> {
	const form = new FormData();
	form.set("purpose", "assistants");
	form.set("file", new File(["audit me"], "notes.txt"));
	const res = await call("/v1/files", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
	if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
	return (await res.json<{ id: string }>()).id;
}

interface Expected {
	action: string;
	res: Response;
	objectId?: string | number;
	actor: string;
	userId?: number | null;
	result?: string;
}

/** Every action the test performed, checked together once their entries have arrived. */
const performed: Expected[] = [];
const expectEntry = (e: Expected) => performed.push(e);
/** Deletions of many memories: one entry per request, with how many went. */
const counted: [Response, number][] = [];

async function entriesOf(requestId: string): Promise<AuditRow[]> {
	const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE request_id = ?").bind(requestId).all<AuditRow>();
	return results;
}

describe("the audit log records each action once", () => {
	const channelKey = `sk-upstream-${uid()}-never-logged`;
	const newChannelKey = `sk-upstream-${uid()}-rotated-never-logged`;
	const secrets: string[] = [channelKey, newChannelKey, "correct horse", "wrong horse", "new horse"];
	let userId: number;
	let email: string;

	beforeAll(async () => {
		email = `audit-${uid()}@example.com`;
		const created = await ok<{ id: number }>(op("POST", "/api/users", { name: `audit-${uid()}`, email, password: "correct horse" }), 201);
		userId = created.body.id;
		expectEntry({ action: "user.create", res: created.res, objectId: userId, actor: "operator", userId });
	});

	it("sign-in, its failures, the operator's session and sign-out", async () => {
		const login = await ok<{ token: string }>(send(null, "POST", "/api/auth/login", { email, password: "correct horse" }));
		expectEntry({ action: "auth.login", res: login.res, objectId: userId, actor: "user", userId });
		const wrong = await send(null, "POST", "/api/auth/login", { email, password: "wrong horse" });
		expect(wrong.status).toBe(401);
		expectEntry({ action: "auth.login", res: wrong, objectId: userId, actor: "user", userId, result: "failure" });
		const unknown = await send(null, "POST", "/api/auth/login", { email: `nobody-${uid()}@example.com`, password: "wrong horse" });
		expect(unknown.status).toBe(401);
		expectEntry({ action: "auth.login", res: unknown, actor: "user", userId: null, result: "failure" });
		const operator = await ok<{ token: string }>(op("POST", "/api/auth/session"));
		expectEntry({ action: "auth.login", res: operator.res, actor: "operator", userId: null });
		const logout = await ok(send(login.body.token, "POST", "/api/auth/logout"), 204);
		expectEntry({ action: "auth.logout", res: logout.res, objectId: userId, actor: "user", userId });
	});

	it("user, key and group changes", async () => {
		const user = await ok(op("PATCH", `/api/users/${userId}`, { group: `g-${uid()}`, password: "new horse" }));
		expectEntry({ action: "user.update", res: user.res, objectId: userId, actor: "operator", userId });
		const key = await ok<{ id: number; key: string }>(op("POST", "/api/tokens", { name: "k", user_id: userId }), 201);
		secrets.push(key.body.key);
		expectEntry({ action: "key.create", res: key.res, objectId: key.body.id, actor: "operator", userId });
		const patched = await ok(op("PATCH", `/api/tokens/${key.body.id}`, { rpm: 10, name: "renamed", status: "disabled" }));
		expectEntry({ action: "key.update", res: patched.res, objectId: key.body.id, actor: "operator", userId });
		const gone = await ok(op("DELETE", `/api/tokens/${key.body.id}`), 204);
		expectEntry({ action: "key.delete", res: gone.res, objectId: key.body.id, actor: "operator", userId });
		const group = `g-${uid()}`;
		const set = await ok(op("PUT", `/api/groups/${group}`, { price_multiplier: 1.5 }));
		expectEntry({ action: "group.update", res: set.res, objectId: group, actor: "operator", userId: null });

		const [update] = await awaitAudit("user.update", userId);
		expect(JSON.parse(update?.diff ?? "{}")).toMatchObject({ after: { password: REDACTED } });
		const [keyUpdate] = await awaitAudit("key.update", key.body.id);
		expect(JSON.parse(keyUpdate?.diff ?? "{}")).toMatchObject({
			before: { name: "k", status: "active", rpm: null },
			after: { name: "renamed", status: "disabled", rpm: 10 },
		});
	});

	it("channel changes (never the upstream key), breaker reset, model routes and prices", async () => {
		const channel = await ok<{ id: number }>(op("POST", "/api/channels", { name: `ch-${uid()}`, type: "openai", key: channelKey, models: ["m"] }), 201);
		const id = channel.body.id;
		expectEntry({ action: "channel.create", res: channel.res, objectId: id, actor: "operator", userId: null });
		const patched = await ok(op("PATCH", `/api/channels/${id}`, { key: newChannelKey, priority: 3 }));
		expectEntry({ action: "channel.update", res: patched.res, objectId: id, actor: "operator", userId: null });
		const reset = await ok(op("POST", `/api/channels/${id}/health/reset`));
		expectEntry({ action: "channel.breaker_reset", res: reset.res, objectId: id, actor: "operator", userId: null });
		const deleted = await ok(op("DELETE", `/api/channels/${id}`), 204);
		expectEntry({ action: "channel.delete", res: deleted.res, objectId: id, actor: "operator", userId: null });

		const model = `m-${uid()}`;
		const route = await ok(op("PUT", `/api/models/${model}`, { chain: ["a", "b"] }));
		expectEntry({ action: "model_route.update", res: route.res, objectId: model, actor: "operator", userId: null });
		const unroute = await ok(op("DELETE", `/api/models/${model}`), 204);
		expectEntry({ action: "model_route.delete", res: unroute.res, objectId: model, actor: "operator", userId: null });
		const price = await ok(op("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 2 }));
		expectEntry({ action: "price.update", res: price.res, objectId: model, actor: "operator", userId: null });
		const unprice = await ok(op("DELETE", `/api/prices/${model}`), 204);
		expectEntry({ action: "price.delete", res: unprice.res, objectId: model, actor: "operator", userId: null });

		const [update] = await awaitAudit("channel.update", id);
		expect(JSON.parse(update?.diff ?? "{}")).toEqual({ before: { priority: 0, key: REDACTED }, after: { priority: 3, key: REDACTED } });
	});

	it("top-ups, adjustments and redemptions", async () => {
		const topup = await ok<{ id: number }>(op("POST", "/api/billing/topup", { user_id: userId, amount_usd: 5 }), 201);
		expectEntry({ action: "billing.topup", res: topup.res, objectId: topup.body.id, actor: "operator", userId });
		const adjust = await ok<{ id: number }>(op("POST", "/api/billing/adjust", { user_id: userId, amount_usd: -1, note: "refund" }), 201);
		expectEntry({ action: "billing.adjust", res: adjust.res, objectId: adjust.body.id, actor: "operator", userId });
		const codes = await ok<{ batch: string; codes: string[] }>(op("POST", "/api/redemptions", { count: 1, value_usd: 2 }), 201);
		secrets.push(...codes.body.codes);
		expectEntry({ action: "redemption.create", res: codes.res, objectId: codes.body.batch, actor: "operator", userId: null });
		const redeemed = await ok(op("POST", "/api/redemptions/redeem", { code: codes.body.codes[0], user_id: userId }), 201);
		expectEntry({ action: "redemption.redeem", res: redeemed.res, actor: "operator", userId });
	});

	it("apps and app keys, and a Dify conversation's deletion", async () => {
		const tag = `audit-${uid()}`;
		const model = `audit-model-${uid()}`;
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		// A user of the default group (the other's group has no channel).
		const { userId } = await userWithKey();
		const app = await ok<{ id: string }>(op("POST", "/api/apps", { name: `app-${uid()}`, model, user_id: userId }), 201);
		expectEntry({ action: "app.create", res: app.res, objectId: app.body.id, actor: "operator", userId });
		const patched = await ok(op("PATCH", `/api/apps/${app.body.id}`, { system_prompt: "Be brief." }));
		expectEntry({ action: "app.update", res: patched.res, objectId: app.body.id, actor: "operator", userId });
		const key = await ok<{ id: number; key: string }>(op("POST", `/api/apps/${app.body.id}/keys`, {}), 201);
		secrets.push(key.body.key);
		expectEntry({ action: "app_key.create", res: key.res, objectId: key.body.id, actor: "operator", userId });

		const { conversation_id } = await ask(key.body.key, { query: "hello", user: "end-user" });
		const dropped = await ok(send(key.body.key, "DELETE", `/dify/v1/conversations/${conversation_id}`, { user: "end-user" }), 204);
		expectEntry({ action: "conversation.delete", res: dropped.res, objectId: conversation_id, actor: "key", userId });

		const keyGone = await ok(op("DELETE", `/api/apps/${app.body.id}/keys/${key.body.id}`), 204);
		expectEntry({ action: "app_key.delete", res: keyGone.res, objectId: key.body.id, actor: "operator", userId });
		const appGone = await ok(op("DELETE", `/api/apps/${app.body.id}`), 204);
		expectEntry({ action: "app.delete", res: appGone.res, objectId: app.body.id, actor: "operator", userId });
	});

	it("file, vector store, memory and conversation deletions", async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		const owner = await newOwner();
		secrets.push(owner.key);
		const key = owner.key;
		const byKey = { actor: "key", userId: owner.userId };

		const file = await upload(key);
		const fileGone = await ok(send(key, "DELETE", `/v1/files/${file}`));
		expectEntry({ action: "file.delete", res: fileGone.res, objectId: file, ...byKey });

		const kept = await upload(key);
		const store = await ok<{ id: string }>(send(key, "POST", "/v1/vector_stores", { name: "docs" }));
		await ok(send(key, "POST", `/v1/vector_stores/${store.body.id}/files`, { file_id: kept }));
		const removed = await ok(send(key, "DELETE", `/v1/vector_stores/${store.body.id}/files/${kept}`));
		expectEntry({ action: "vector_store.file_delete", res: removed.res, objectId: kept, ...byKey });
		const storeGone = await ok(send(key, "DELETE", `/v1/vector_stores/${store.body.id}`));
		expectEntry({ action: "vector_store.delete", res: storeGone.res, objectId: store.body.id, ...byKey });

		const add = async (body: Record<string, unknown>) => {
			const added = await ok<{ results: { id: string }[] }>(send(key, "POST", "/mem0/v3/memories/add/", { infer: false, ...body }, "Token"));
			return added.body.results.map((r) => r.id);
		};
		const [one] = await add({ user_id: "alice", messages: [{ role: "user", content: "I like tea" }] });
		const single = await ok(send(key, "DELETE", `/mem0/v1/memories/${one}/`, undefined, "Token"));
		expectEntry({ action: "memory.delete", res: single.res, objectId: one, ...byKey });
		const batch = await add({ user_id: "bob", messages: [{ role: "user", content: "I play chess" }] });
		const batchGone = await ok(send(key, "DELETE", "/mem0/v1/batch/", { memories: batch.map((memory_id) => ({ memory_id })) }, "Token"));
		expectEntry({ action: "memory.delete", res: batchGone.res, ...byKey });
		await add({
			user_id: "carol",
			messages: [
				{ role: "user", content: "I run marathons" },
				{ role: "user", content: "I live in Oslo" },
			],
		});
		const all = await ok(send(key, "DELETE", "/mem0/v1/memories/?user_id=carol", undefined, "Token"));
		expectEntry({ action: "memory.delete", res: all.res, ...byKey });
		await add({ agent_id: "travel-bot", messages: [{ role: "user", content: "Prefers window seats" }] });
		const entity = await ok(send(key, "DELETE", "/mem0/v2/entities/agent/travel-bot/", undefined, "Token"));
		expectEntry({ action: "memory.delete", res: entity.res, objectId: "agent:travel-bot", ...byKey });

		const conversation = await ok<{ id: string }>(send(key, "POST", "/v1/conversations", {}));
		const convGone = await ok(send(key, "DELETE", `/v1/conversations/${conversation.body.id}`));
		expectEntry({ action: "conversation.delete", res: convGone.res, objectId: conversation.body.id, ...byKey });
		const other = await ok<{ id: string }>(send(key, "POST", "/v1/conversations", {}));
		const byOperator = await ok(op("DELETE", `/api/conversations/${other.body.id}`));
		expectEntry({ action: "conversation.delete", res: byOperator.res, objectId: other.body.id, actor: "operator", userId: owner.userId });
		counted.push([all.res, 2], [batchGone.res, 1], [entity.res, 1]);
	});

	it("alert rule changes", async () => {
		const rule = await ok<{ id: number }>(op("POST", "/api/alerts/rules", { name: `rule ${uid()}`, metric: "error_rate", threshold: 0.5 }), 201);
		expectEntry({ action: "alert_rule.create", res: rule.res, objectId: rule.body.id, actor: "operator", userId: null });
		const patched = await ok(op("PATCH", `/api/alerts/rules/${rule.body.id}`, { threshold: 0.7 }));
		expectEntry({ action: "alert_rule.update", res: patched.res, objectId: rule.body.id, actor: "operator", userId: null });
		const gone = await ok(op("DELETE", `/api/alerts/rules/${rule.body.id}`), 204);
		expectEntry({ action: "alert_rule.delete", res: gone.res, objectId: rule.body.id, actor: "operator", userId: null });
	});

	it("leaves exactly one entry per action, with its actor, address and request id, and no secret anywhere", async () => {
		expect(performed.length).toBeGreaterThan(40);
		for (const e of performed) {
			const requestId = e.res.headers.get("x-request-id");
			expect(requestId).toBeTruthy();
			await awaitAudit(e.action, e.objectId ?? undefined);
			const until = Date.now() + 8_000;
			let rows = await entriesOf(requestId ?? "");
			while (rows.length === 0 && Date.now() < until) {
				await new Promise((r) => setTimeout(r, 100));
				rows = await entriesOf(requestId ?? "");
			}
			expect(rows, `${e.action} ${e.objectId ?? ""}`).toHaveLength(1);
			expect(rows[0], e.action).toMatchObject({
				action: e.action,
				actor_type: e.actor,
				result: e.result ?? "success",
				ip: IP,
				user_agent: AGENT,
				request_id: requestId,
				...(e.objectId === undefined ? {} : { object_id: String(e.objectId) }),
				...(e.userId === undefined ? {} : { user_id: e.userId }),
			});
		}
		// Counted by action and object too: a change leaves one entry, not one per layer it passes through.
		for (const e of performed.filter((p) => p.objectId !== undefined && p.action !== "auth.login")) {
			const { results } = await env.DB.prepare("SELECT id FROM audit_log WHERE action = ? AND object_id = ?").bind(e.action, String(e.objectId)).all();
			expect(results, `${e.action} ${e.objectId}`).toHaveLength(1);
		}
		for (const [res, count] of counted) {
			const [row] = await entriesOf(res.headers.get("x-request-id") ?? "");
			expect(JSON.parse(row?.diff ?? "{}")).toMatchObject({ detail: { count } });
		}
		const { results } = await env.DB.prepare("SELECT * FROM audit_log").all();
		const text = JSON.stringify(results);
		for (const secret of secrets) expect(text).not.toContain(secret);
	});
});
