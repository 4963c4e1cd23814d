// The dashboard's Memories page calls Mem0's API (/mem0) with its session, naming one of its own user's keys in
// x-gateway-key-id, as the Knowledge page does on /v1/files; src/auth/policy.ts says whose keys a session may name.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { readSession } from "../../src/auth/session";
import { endSession, startSession } from "../../src/auth/sessions";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, createChannel, createKey, uid } from "../support/gateway";

async function newUser(role: "user" | "admin" = "user"): Promise<number> {
	const user = await env.DB.prepare("INSERT INTO users (name, role) VALUES (?, ?) RETURNING id").bind(`ms-${uid()}`, role).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return user.id;
}

const sessionOf = (who: { userId: number } | { adminToken: string }) => startSession(env, who, env.ENCRYPTION_KEY);

/** A /mem0 call as the dashboard makes it: the session as Bearer, the key it acts as by id. */
function asSession(token: string, keyId: number | undefined, method: string, path: string, body?: unknown): Promise<Response> {
	const headers = new Headers({ authorization: `Bearer ${token}` });
	if (keyId !== undefined) headers.set("x-gateway-key-id", String(keyId));
	if (body !== undefined) headers.set("content-type", "application/json");
	return call(`/mem0${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

const say = (content: string) => [{ role: "user", content }];

describe("a dashboard session on Mem0's API", () => {
	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
	});

	it("acts as its own key: adds, lists the entity, searches, edits (history shows it) and deletes, seen by the key too", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const { token } = await sessionOf({ userId });
		const entity = `alice-${uid()}`;

		const added = await asSession(token, key.id, "POST", "/v3/memories/add/", { user_id: entity, infer: false, messages: say("I am allergic to peanuts") });
		expect(added.status).toBe(200);
		await asSession(token, key.id, "POST", "/v3/memories/add/", { user_id: entity, infer: false, messages: say("My favourite city is Lisbon") });
		const [{ id }] = (await added.json<{ results: [{ id: string }] }>()).results;

		const entities = await (await asSession(token, key.id, "GET", "/v1/entities/")).json<{ results: { id: string; type: string; total_memories: number }[] }>();
		expect(entities.results).toContainEqual(expect.objectContaining({ id: entity, type: "user", total_memories: 2 }));

		const list = await (await asSession(token, key.id, "POST", "/v3/memories/", { filters: { user_id: entity } })).json<{ count: number }>();
		expect(list.count).toBe(2);
		const search = await asSession(token, key.id, "POST", "/v3/memories/search/", { query: "peanuts allergy", filters: { user_id: entity } });
		expect((await search.json<{ results: { id: string; score: number }[] }>()).results[0]).toMatchObject({ id, score: expect.any(Number) });

		const edited = await asSession(token, key.id, "PUT", `/v1/memories/${id}/`, { text: "I am allergic to peanuts and shellfish" });
		expect(edited.status).toBe(200);
		const history = await (await asSession(token, key.id, "GET", `/v1/memories/${id}/history/`)).json<
			{ event: string; old_memory: string | null; new_memory: string | null }[]
		>();
		expect(history.map((h) => [h.event, h.old_memory, h.new_memory])).toEqual([
			["ADD", null, "I am allergic to peanuts"],
			["UPDATE", "I am allergic to peanuts", "I am allergic to peanuts and shellfish"],
		]);
		// The same memories through the key itself: the session acted as it.
		const viaKey = await call(`/mem0/v1/memories/${id}/`, { headers: { authorization: `Token ${key.key}` } });
		expect(await viaKey.json()).toMatchObject({ memory: "I am allergic to peanuts and shellfish" });

		expect((await asSession(token, key.id, "DELETE", `/v1/memories/${id}/`)).status).toBe(200);
		expect((await asSession(token, key.id, "DELETE", `/v1/memories/?user_id=${entity}`)).status).toBe(200);
		const after = await (await asSession(token, key.id, "POST", "/v3/memories/", { filters: { user_id: entity } })).json<{ count: number }>();
		expect(after.count).toBe(0);
	});

	it("may not name another user's key, not even an admin's or the operator's session: that key is 404 in Mem0's shape", async () => {
		const stranger = await createKey({ user_id: await newUser() });
		for (const who of [{ userId: await newUser() }, { userId: await newUser("admin") }, { adminToken: TEST_ADMIN_TOKEN }]) {
			const { token } = await sessionOf(who);
			const res = await asSession(token, stranger.id, "GET", "/v1/entities/");
			expect(res.status).toBe(404);
			expect(await res.json()).toMatchObject({ detail: `Token ${stranger.id} does not exist` });
		}
	});

	it("says which header names the key when the session names none (400, Mem0's shape)", async () => {
		const { token } = await sessionOf({ userId: await newUser() });
		const res = await asSession(token, undefined, "GET", "/v1/entities/");
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ detail: "A dashboard session names the key it acts as, by id, in 'x-gateway-key-id'" });
	});

	it("refuses a session that has ended with 401, so that the dashboard signs in again", async () => {
		const userId = await newUser();
		const key = await createKey({ user_id: userId });
		const session = await sessionOf({ userId });
		const claims = await readSession(session.token, env.ENCRYPTION_KEY);
		await endSession(env, claims?.sessionId ?? "");
		const res = await asSession(session.token, key.id, "GET", "/v1/entities/");
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ detail: expect.any(String) });
	});
});

describe("the Memories page's way in, documented and across origins", () => {
	it("is in the OpenAPI document: a key, or a session with x-gateway-key-id", async () => {
		const doc = await (await call("/api/openapi.json")).json<{ paths: Record<string, Record<string, { security: unknown[] }>> }>();
		for (const [path, method] of [
			["/mem0/v3/memories/search/", "post"],
			["/mem0/v1/entities/", "get"],
		] as const) {
			expect(doc.paths[path]?.[method]?.security, path).toEqual([{ gatewayKey: [] }, { session: [], keyId: [] }]);
		}
	});

	it("may be called from DASHBOARD_ORIGIN, naming its key", async () => {
		const { createExecutionContext } = await import("cloudflare:test");
		const worker = (await import("../../src")).default;
		const res = await worker.fetch(
			new Request("http://gateway.test/mem0/v1/entities/", {
				method: "OPTIONS",
				headers: {
					origin: "https://dash.example.com",
					"access-control-request-method": "GET",
					"access-control-request-headers": "authorization, x-gateway-key-id",
				},
			}),
			{ ...env, DASHBOARD_ORIGIN: "https://dash.example.com" } as Env,
			createExecutionContext(),
		);
		expect(res.headers.get("access-control-allow-origin")).toBe("https://dash.example.com");
		expect(res.headers.get("access-control-allow-headers")).toContain("x-gateway-key-id");
	});
});
