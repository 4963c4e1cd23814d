import { describe, expect, it } from "vitest";
import { appWithKey, as } from "../support/apps";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, chat, createKey, scenario, uid } from "../support/gateway";

const bearer = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, "content-type": "application/json", ...extra });

async function newUser(scopes?: string[] | null): Promise<number> {
	const res = await admin("POST", "/api/users", { name: `scoped-${uid()}`, ...(scopes === undefined ? {} : { scopes }) });
	expect(res.status).toBe(201);
	return (await res.json<{ id: number }>()).id;
}

describe("key scopes", () => {
	it("a key without `relay` is refused on the relay in each API's own error format, naming the scope", async () => {
		const { model } = await scenario([{ base_url: "http://unused.invalid/v1" }]);
		const { key } = await createKey({ scopes: ["files", "usage"] });

		const openai = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
		expect(openai.status).toBe(403);
		const o = await openai.json<{ error: { type: string; code: string; param: string; message: string } }>();
		expect(o.error).toMatchObject({ type: "permission_error", code: "forbidden", param: "scopes" });
		expect(o.error.message).toContain("'relay'");

		const anthropic = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "content-type": "application/json" },
			body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
		});
		expect(anthropic.status).toBe(403);
		const a = await anthropic.json<{ type: string; error: { type: string; message: string } }>();
		expect(a.type).toBe("error");
		expect(a.error.type).toBe("permission_error");
		expect(a.error.message).toContain("'relay'");

		const gemini = await call("/v1beta/models", { headers: { "x-goog-api-key": key } });
		expect(gemini.status).toBe(403);
		const g = await gemini.json<{ error: { status: string; message: string } }>();
		expect(g.error.status).toBe("PERMISSION_DENIED");
		expect(g.error.message).toContain("'relay'");

		for (const path of ["/v1/models", "/v1/embeddings", "/v2/rerank", "/v1/audio/speech", "/v1/audio/transcriptions", "/v1/audio/translations"]) {
			const res = await call(path, { method: path === "/v1/models" ? "GET" : "POST", headers: bearer(key), body: path === "/v1/models" ? null : "{}" });
			expect(res.status, path).toBe(403);
		}
	});

	it("Mem0's API needs `memory`, answered in Mem0's format", async () => {
		const { key } = await createKey({ scopes: ["relay"] });
		const res = await call("/mem0/v1/ping/", { headers: { Authorization: `Token ${key}` } });
		expect(res.status).toBe(403);
		const body = await res.json<{ detail: string; code: string }>();
		expect(body.code).toBe("forbidden");
		expect(body.detail).toContain("'memory'");
		const allowed = await createKey({ scopes: ["memory"] });
		expect((await call("/mem0/v1/ping/", { headers: { Authorization: `Token ${allowed.key}` } })).status).toBe(200);
	});

	it("files, vector stores, conversations and stored responses need their own scopes", async () => {
		const { key } = await createKey({ scopes: ["relay"] });
		for (const [path, scope] of [
			["/v1/files", "files"],
			["/v1/vector_stores", "vector_stores"],
			["/v1/conversations/conv_missing", "conversations"],
			["/v1/responses/resp_missing", "conversations"],
		] as const) {
			const res = await call(path, { headers: bearer(key) });
			expect(res.status, path).toBe(403);
			expect((await res.json<{ error: { message: string } }>()).error.message).toContain(`'${scope}'`);
		}
		const files = await createKey({ scopes: ["files"] });
		expect((await call("/v1/files", { headers: bearer(files.key) })).status).toBe(200);
		const conversations = await createKey({ scopes: ["conversations"] });
		expect((await call("/v1/responses/resp_missing", { headers: bearer(conversations.key) })).status).toBe(404);
	});

	it("a key on /api needs `usage`; with it, it reads what it could before", async () => {
		const without = await createKey({ scopes: ["relay"] });
		for (const path of ["/api/usage", "/api/billing/balance", "/api/tokens", "/api/auth/me", "/api/stats/top"]) {
			const res = await call(path, { headers: bearer(without.key) });
			expect(res.status, path).toBe(403);
			expect((await res.json<{ error: { message: string } }>()).error.message).toContain("'usage'");
		}
		const withUsage = await createKey({ scopes: ["usage"] });
		expect((await call("/api/tokens", { headers: bearer(withUsage.key) })).status).toBe(200);
		const all = await createKey();
		expect((await call("/api/usage", { headers: bearer(all.key) })).status).toBe(200);
	});

	it("a key's scopes are its own within its user's, and it may not be given one its user lacks", async () => {
		const userId = await newUser(["files", "usage"]);
		const refused = await admin("POST", "/api/tokens", { name: "too-wide", user_id: userId, scopes: ["relay", "files"] });
		expect(refused.status).toBe(403);
		const r = await refused.json<{ error: { param: string; message: string } }>();
		expect(r.error.param).toBe("scopes");
		expect(r.error.message).toContain("'relay'");

		// Omitted: all of the user's, which lack `relay`.
		const { id, key } = await createKey({ user_id: userId });
		expect((await call("/v1/models", { headers: bearer(key) })).status).toBe(403);
		expect((await call("/v1/files", { headers: bearer(key) })).status).toBe(200);

		const patched = await admin("PATCH", `/api/tokens/${id}`, { scopes: ["relay"] });
		expect(patched.status).toBe(403);
		expect((await patched.json<{ error: { param: string } }>()).error.param).toBe("scopes");

		// The operator widens the user: the key (null: all of the user's) follows at once.
		const widened = await admin("PATCH", `/api/users/${userId}`, { scopes: null });
		expect(widened.status).toBe(200);
		expect((await widened.json<{ scopes: unknown }>()).scopes).toBeNull();
		expect((await call("/v1/models", { headers: bearer(key) })).status).toBe(200);

		// And narrows it: the key loses what the user lost, whatever its own scopes say.
		const ok = await admin("PATCH", `/api/tokens/${id}`, { scopes: ["relay", "usage"] });
		expect(ok.status).toBe(200);
		expect((await ok.json<{ scopes: string[] }>()).scopes).toEqual(["relay", "usage"]);
		expect((await admin("PATCH", `/api/users/${userId}`, { scopes: ["usage"] })).status).toBe(200);
		expect((await call("/v1/models", { headers: bearer(key) })).status).toBe(403);
	});

	it("the playground acts as a key only if it has `relay`", async () => {
		const { model } = await scenario([{ base_url: "http://unused.invalid/v1" }]);
		const { id } = await createKey({ scopes: ["usage"] });
		const res = await as(TEST_ADMIN_TOKEN, "POST", `/api/playground/chat/completions?token_id=${id}`, { model, messages: [{ role: "user", content: "hi" }] });
		expect(res.status).toBe(403);
		const body = await res.json<{ error: { param: string; message: string } }>();
		expect(body.error.param).toBe("scopes");
		expect(body.error.message).toContain("'relay'");
	});

	it("an unknown scope is a 400 naming the field", async () => {
		const res = await admin("POST", "/api/tokens", { name: "bad", scopes: ["everything"] });
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { param: string } }>()).error.param).toMatch(/^scopes/);
	});

	it("an app key keeps working at /dify/v1 while its user has `relay`, and is refused in Dify's format once not", async () => {
		const userId = await newUser();
		const { key } = await appWithKey(userId, { model: "any-model" });
		expect((await call("/dify/v1/parameters", { headers: bearer(key) })).status).toBe(200);
		expect((await admin("PATCH", `/api/users/${userId}`, { scopes: ["usage"] })).status).toBe(200);
		const res = await call("/dify/v1/parameters", { headers: bearer(key) });
		expect(res.status).toBe(403);
		const body = await res.json<{ code: string; status: number; message: string }>();
		expect(body).toMatchObject({ code: "forbidden", status: 403 });
		expect(body.message).toContain("'relay'");
	});
});
