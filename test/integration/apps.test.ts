import { beforeAll, describe, expect, it } from "vitest";
import { type App, as, signedInUser } from "../support/apps";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, chat, createKey, uid } from "../support/gateway";

interface AppKeyCreated {
	id: number;
	key: string;
	key_prefix: string;
	name: string;
	app_id: string;
	created_at: string;
}

describe("/api/apps", () => {
	let alice: { id: number; session: string };
	let bob: { id: number; session: string };
	beforeAll(async () => {
		alice = await signedInUser();
		bob = await signedInUser();
	});

	it("creates an app with Dify's defaults, and its owner lists, reads and changes it", async () => {
		const res = await as(alice.session, "POST", "/api/apps", { name: "Support", model: "mock-chat", system_prompt: "Be kind to {{name}}." });
		expect(res.status).toBe(201);
		const app = await res.json<App>();
		expect(app).toMatchObject({
			name: "Support",
			model: "mock-chat",
			description: "",
			system_prompt: "Be kind to {{name}}.",
			opening_statement: "",
			suggested_questions: [],
			vector_store_ids: [],
			retrieval_top_k: 4,
			score_threshold: null,
			memory_mode: "off",
			owner_id: alice.id,
		});
		expect(app.id).toMatch(/^app-/);
		const second = await (await as(alice.session, "POST", "/api/apps", { name: "Second", model: "mock-chat" })).json<App>();

		const list = await (await as(alice.session, "GET", "/api/apps")).json<{ data: App[] }>();
		expect(list.data.map((a) => a.id)).toEqual([second.id, app.id]);
		expect(await (await as(alice.session, "GET", `/api/apps/${app.id}`)).json()).toEqual(app);

		const patched = await as(alice.session, "PATCH", `/api/apps/${app.id}`, {
			suggested_questions: ["Where is my order?"],
			retrieval_top_k: 8,
			score_threshold: 0.3,
		});
		expect(patched.status).toBe(200);
		expect(await patched.json()).toMatchObject({ name: "Support", suggested_questions: ["Where is my order?"], retrieval_top_k: 8, score_threshold: 0.3 });
	});

	it("keeps one user's apps from another: 404 to read, change or delete, absent from their list; 403 to make one for them", async () => {
		const app = await (await as(alice.session, "POST", "/api/apps", { name: "Private", model: "mock-chat" })).json<App>();
		expect((await as(bob.session, "GET", `/api/apps/${app.id}`)).status).toBe(404);
		expect((await as(bob.session, "PATCH", `/api/apps/${app.id}`, { name: "Mine" })).status).toBe(404);
		expect((await as(bob.session, "DELETE", `/api/apps/${app.id}`)).status).toBe(404);
		expect((await as(bob.session, "POST", `/api/apps/${app.id}/keys`, {})).status).toBe(404);
		expect((await as(bob.session, "GET", `/api/apps/${app.id}/keys`)).status).toBe(404);
		const bobs = await (await as(bob.session, "GET", "/api/apps")).json<{ data: App[] }>();
		expect(bobs.data.map((a) => a.id)).not.toContain(app.id);
		expect((await as(bob.session, "POST", "/api/apps", { name: "For Alice", model: "mock-chat", user_id: alice.id })).status).toBe(403);
		// The operator sees and makes anyone's.
		expect((await as(TEST_ADMIN_TOKEN, "GET", `/api/apps/${app.id}`)).status).toBe(200);
		const made = await as(TEST_ADMIN_TOKEN, "POST", "/api/apps", { name: "For Bob", model: "mock-chat", user_id: bob.id });
		expect(await made.json()).toMatchObject({ owner_id: bob.id });
	});

	it("takes only the owner's vector stores", async () => {
		const bobKey = await createKey({ user_id: bob.id });
		const store = await (await as(bobKey.key, "POST", "/v1/vector_stores", { name: "bob's" })).json<{ id: string }>();
		const refused = await as(alice.session, "POST", "/api/apps", { name: "Thief", model: "mock-chat", vector_store_ids: [store.id] });
		expect(refused.status).toBe(404);
		expect((await as(bob.session, "POST", "/api/apps", { name: "Own", model: "mock-chat", vector_store_ids: [store.id] })).status).toBe(201);
	});

	it("refuses bad settings with a 400 naming the field, and a gateway key with a 403", async () => {
		for (const [field, value] of [
			["retrieval_top_k", 0],
			["retrieval_top_k", 21],
			["score_threshold", 1.5],
			["memory_mode", "sometimes"],
			["suggested_questions", "not a list"],
		] as const) {
			const res = await as(alice.session, "POST", "/api/apps", { name: "Bad", model: "mock-chat", [field]: value });
			expect(res.status).toBe(400);
			expect((await res.json<{ error: { param: string } }>()).error.param).toBe(field);
		}
		expect((await as(alice.session, "POST", "/api/apps", { model: "mock-chat" })).status).toBe(400);
		const key = await createKey({ user_id: alice.id });
		expect((await as(key.key, "GET", "/api/apps")).status).toBe(403);
		expect((await as(key.key, "POST", "/api/apps", { name: "By key", model: "mock-chat" })).status).toBe(403);
	});

	it("issues app keys shown once, lists them without the key, and revokes them", async () => {
		const app = await (await as(alice.session, "POST", "/api/apps", { name: `Keys ${uid()}`, model: "mock-chat" })).json<App>();
		const res = await as(alice.session, "POST", `/api/apps/${app.id}/keys`, { name: "web" });
		expect(res.status).toBe(201);
		const made = await res.json<AppKeyCreated>();
		expect(made).toMatchObject({ name: "web", app_id: app.id });
		expect(made.key).toMatch(/^sk-/);
		expect(made.key.startsWith(made.key_prefix.replace("…", ""))).toBe(true);
		const listed = await as(alice.session, "GET", `/api/apps/${app.id}/keys`);
		const text = await listed.text();
		expect(text).not.toContain(made.key);
		expect(JSON.parse(text)).toEqual({
			data: [{ id: made.id, name: "web", key_prefix: made.key_prefix, status: "active", created_at: made.created_at, last_used_at: null }],
		});
		expect((await as(made.key, "GET", "/dify/v1/parameters?user=u")).status).toBe(200);
		// It is one of the owner's keys, where its limits are set, marked as the app's.
		const inTokens = await (await as(alice.session, "GET", `/api/tokens/${made.id}`)).json();
		expect(inTokens).toMatchObject({ id: made.id, user_id: alice.id, app_id: app.id, status: "active" });
		expect((await as(alice.session, "DELETE", `/api/apps/${app.id}/keys/${made.id}`)).status).toBe(204);
		expect((await as(made.key, "GET", "/dify/v1/parameters?user=u")).status).toBe(401);
		expect((await as(alice.session, "DELETE", `/api/apps/${app.id}/keys/${made.id}`)).status).toBe(404);
	});

	it("keeps an app key to /dify/v1: elsewhere it is refused in that API's format", async () => {
		const app = await (await as(alice.session, "POST", "/api/apps", { name: `Scope ${uid()}`, model: "mock-chat" })).json<App>();
		const { key } = await (await as(alice.session, "POST", `/api/apps/${app.id}/keys`, {})).json<AppKeyCreated>();
		const relay = await chat(key, { model: "mock-chat", messages: [{ role: "user", content: "hi" }] });
		expect(relay.status).toBe(403);
		expect((await relay.json<{ error: { code: string } }>()).error.code).toBe("forbidden");
		const anthropic = await as(key, "POST", "/v1/messages", { model: "mock-chat", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
		expect(anthropic.status).toBe(403);
		expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
		expect((await as(key, "GET", "/api/tokens")).status).toBe(403);
		const mem0 = await as(key, "GET", "/mem0/v1/memories/?user_id=x");
		expect(mem0.status).toBe(403);
		expect(await mem0.json()).toHaveProperty("detail");
		// Nor may the dashboard act as it where a session names a key by id.
		const keys = await (await as(alice.session, "GET", `/api/apps/${app.id}/keys`)).json<{ data: { id: number }[] }>();
		const files = await call("/v1/files", { headers: { authorization: `Bearer ${alice.session}`, "x-gateway-key-id": String(keys.data[0]?.id) } });
		expect(files.status).toBe(403);
	});

	it("deletes an app with its keys", async () => {
		const app = await (await as(alice.session, "POST", "/api/apps", { name: `Gone ${uid()}`, model: "mock-chat" })).json<App>();
		const { key } = await (await as(alice.session, "POST", `/api/apps/${app.id}/keys`, {})).json<AppKeyCreated>();
		expect((await as(alice.session, "DELETE", `/api/apps/${app.id}`)).status).toBe(204);
		expect((await as(alice.session, "GET", `/api/apps/${app.id}`)).status).toBe(404);
		expect((await as(key, "GET", "/dify/v1/parameters?user=u")).status).toBe(401);
	});
});
