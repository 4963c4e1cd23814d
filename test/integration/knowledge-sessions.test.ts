// The dashboard's Knowledge page calls /v1/files and /v1/vector_stores with its session, naming one of its own
// user's keys (which embeds and is billed); src/auth/policy.ts says whose keys a session may name.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readSession } from "../../src/auth/session";
import { endSession, startSession } from "../../src/auth/sessions";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, chat, createKey, uid } from "../support/gateway";

async function newUser(role: "user" | "admin" = "user"): Promise<number> {
	const user = await env.DB.prepare("INSERT INTO users (name, role) VALUES (?, ?) RETURNING id").bind(`ks-${uid()}`, role).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return user.id;
}

const sessionOf = (who: { userId: number } | { adminToken: string }) => startSession(env, who, env.ENCRYPTION_KEY);

function asSession(token: string, keyId: number | string | undefined, init: RequestInit = {}): RequestInit {
	const headers = new Headers(init.headers);
	headers.set("authorization", `Bearer ${token}`);
	if (keyId !== undefined) headers.set("x-gateway-key-id", String(keyId));
	return { ...init, headers };
}

const createStore = (token: string, keyId: number | undefined) =>
	call(
		"/v1/vector_stores",
		asSession(token, keyId, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `kb-${uid()}` }) }),
	);

async function errorOf(res: Response): Promise<{ status: number; code: string | null; message: string }> {
	const body = await res.json<{ error: { code: string | null; message: string } }>();
	return { status: res.status, code: body.error.code, message: body.error.message };
}

describe("a dashboard session on the Files and Vector Stores APIs", () => {
	it("acts as one of its user's keys: the store is the user's, seen by their keys and 404 to anyone else", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const { token } = await sessionOf({ userId });
		const created = await createStore(token, key.id);
		expect(created.status).toBe(200);
		const store = await created.json<{ id: string }>();

		const list = await (await call("/v1/vector_stores", asSession(token, key.id))).json<{ data: { id: string }[] }>();
		expect(list.data.map((s) => s.id)).toContain(store.id);
		expect((await call(`/v1/vector_stores/${store.id}`, { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(200);

		const other = await newUser();
		const otherKey = await createKey({ user_id: other });
		const { token: otherToken } = await sessionOf({ userId: other });
		expect((await call(`/v1/vector_stores/${store.id}`, asSession(otherToken, otherKey.id))).status).toBe(404);
	});

	it("uploads a file with the session, as the key names", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const { token } = await sessionOf({ userId });
		const form = new FormData();
		form.set("purpose", "assistants");
		form.set("file", new File(["# Notes\n\nA session may upload."], "notes.md"));
		const res = await call("/v1/files", asSession(token, key.id, { method: "POST", body: form }));
		expect(res.status).toBe(200);
		const file = await res.json<{ id: string }>();
		expect((await call(`/v1/files/${file.id}`, { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(200);
	});

	it("may not name another user's key, not even an admin's session: that key is 404, as if it did not exist", async () => {
		const stranger = await createKey({ user_id: await newUser() });
		const { token } = await sessionOf({ userId: await newUser() });
		expect(await errorOf(await createStore(token, stranger.id))).toMatchObject({ status: 404, message: `Token ${stranger.id} does not exist` });
		const { token: adminRole } = await sessionOf({ userId: await newUser("admin") });
		expect((await createStore(adminRole, stranger.id)).status).toBe(404);
		const { token: operator } = await sessionOf({ adminToken: TEST_ADMIN_TOKEN });
		expect((await createStore(operator, stranger.id)).status).toBe(404);
	});

	it("lets the operator's session act as the admin user's keys, its own account", async () => {
		const own = await createKey();
		const { token } = await sessionOf({ adminToken: TEST_ADMIN_TOKEN });
		expect((await createStore(token, own.id)).status).toBe(200);
	});

	it("says which header names the key when the session names none", async () => {
		const { token } = await sessionOf({ userId: await newUser() });
		expect(await errorOf(await createStore(token, undefined))).toEqual({
			status: 400,
			code: "invalid_request",
			message: "A dashboard session names the key it acts as, by id, in 'x-gateway-key-id'",
		});
	});

	it("refuses a session that has ended with 401, so that the dashboard signs in again", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const session = await sessionOf({ userId });
		const claims = await readSession(session.token, env.ENCRYPTION_KEY);
		await endSession(env, claims?.sessionId ?? "");
		expect((await createStore(session.token, key.id)).status).toBe(401);
	});

	it("is documented: the OpenAPI document offers a key, or a session with x-gateway-key-id", async () => {
		const doc = await (await call("/api/openapi.json")).json<{
			paths: Record<string, Record<string, { security: unknown[] }>>;
			components: { securitySchemes: Record<string, { name?: string }> };
		}>();
		for (const [path, method] of [
			["/v1/files", "post"],
			["/v1/vector_stores/{vector_store_id}/search", "post"],
		] as const) {
			expect(doc.paths[path]?.[method]?.security, path).toEqual([{ gatewayKey: [] }, { session: [], keyId: [] }]);
		}
		expect(doc.components.securitySchemes.keyId?.name).toBe("x-gateway-key-id");
		expect(doc.paths["/v1/chat/completions"]?.post?.security).toEqual([{ gatewayKey: [] }]);
	});

	it("leaves the relay's routes to keys alone", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const { token } = await sessionOf({ userId });
		expect((await chat(token, { model: "mock-chat", messages: [{ role: "user", content: "hi" }] }, { "x-gateway-key-id": String(key.id) })).status).toBe(401);
	});
});

describe("the Knowledge page of a dashboard on another origin (Pages)", () => {
	it("may call the Files and Vector Stores APIs from DASHBOARD_ORIGIN, naming its key, and nothing else of /v1", async () => {
		const { createExecutionContext } = await import("cloudflare:test");
		const worker = (await import("../../src")).default;
		const preflight = (path: string) =>
			worker.fetch(
				new Request(`http://gateway.test${path}`, {
					method: "OPTIONS",
					headers: {
						origin: "https://dash.example.com",
						"access-control-request-method": "POST",
						"access-control-request-headers": "authorization, x-gateway-key-id",
					},
				}),
				{ ...env, DASHBOARD_ORIGIN: "https://dash.example.com" } as Env,
				createExecutionContext(),
			);
		for (const path of ["/v1/files", "/v1/vector_stores", "/v1/vector_stores/vs_abc/search"]) {
			const res = await preflight(path);
			expect(res.headers.get("access-control-allow-origin"), path).toBe("https://dash.example.com");
			expect(res.headers.get("access-control-allow-headers"), path).toContain("x-gateway-key-id");
		}
		expect((await preflight("/v1/chat/completions")).headers.get("access-control-allow-origin")).toBeNull();
	});
});
