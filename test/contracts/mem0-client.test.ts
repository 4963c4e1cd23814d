// What the real mem0ai MemoryClient (3.3.1) sends and how it reads the answers, recorded on loopback, so that the
// gateway's /mem0 routes are built to it. test/fixtures/mem0/client-contract.md writes the same contract out.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { type Mem0Client, mem0Client } from "../support/mem0";
import { type RecordedRequest, type Reply, startRecorder } from "./mem0-recorder";

const KEY = "sk-contract-key";
const MEMORY = {
	id: "mem_1",
	memory: "Likes tea",
	user_id: "alice",
	metadata: { source_app: "notes", camelKey: 1 },
	categories: ["food"],
	created_at: "2026-12-01T00:00:00Z",
	updated_at: "2026-12-01T00:00:00Z",
};

// Mem0-shaped answers, in Mem0's snake_case, for each route the client calls.
function answer(request: RecordedRequest): Reply {
	// Clients pointed at `${url}/mem0`, as at the gateway, reach the same routes.
	const path = (request.url.split("?")[0] ?? "").replace(/^\/mem0\//, "/");
	const route = `${request.method} ${path}`;
	if (path.startsWith("/status-")) return { status: Number(path.slice(8, 11)), body: { detail: "refused" } };
	if (route === "GET /v1/ping/") return { status: 200, body: { status: "ok", org_id: "org_1", project_id: "proj_1" } };
	if (route === "POST /v3/memories/add/") {
		const infer = z.object({ infer: z.boolean().optional() }).parse(request.body).infer;
		return infer === false
			? { status: 200, body: { status: "SUCCEEDED", event_id: "evt_1", results: [{ id: "mem_1", data: { memory: "Likes tea" }, event: "ADD" }] } }
			: { status: 200, body: { status: "PENDING", event_id: "evt_2" } };
	}
	if (route === "POST /v3/memories/") return { status: 200, body: { count: 1, next: null, previous: null, results: [MEMORY] } };
	if (route === "POST /v3/memories/search/") return { status: 200, body: { results: [{ ...MEMORY, score: 0.83 }] } };
	if (route === "GET /v1/memories/mem_1/history/") {
		const entry = { id: "h_1", memory_id: "mem_1", old_memory: "Likes coffee", new_memory: "Likes tea", event: "UPDATE", user_id: "alice" };
		return { status: 200, body: [entry] };
	}
	if (path.startsWith("/v1/memories/mem_1/")) return { status: 200, body: request.method === "GET" ? MEMORY : { message: "ok" } };
	if (route === "DELETE /v1/memories/") return { status: 200, body: { message: "Memories deleted successfully!" } };
	if (route === "GET /v1/entities/") {
		const entity = { id: "u_1", name: "alice", type: "user", total_memories: 3, owner: "me", created_at: "2026-12-01T00:00:00Z" };
		return { status: 200, body: { count: 1, next: null, previous: null, results: [entity] } };
	}
	if (route === "DELETE /v2/entities/user/alice/") return { status: 200, body: { message: "Entity deleted successfully." } };
	if (path === "/v1/batch/") return { status: 200, body: { message: "Successfully updated 1 memories" } };
	if (route === "POST /v1/feedback/") return { status: 200, body: { id: "fb_1", feedback: "POSITIVE", feedback_reason: null } };
	return { status: 404, body: { detail: `no route ${route}` } };
}

const recorder = await startRecorder(answer);
const outside: string[] = [];
let client: Mem0Client;

/** The client pings in its constructor without awaiting it; its own promise says when that is over. */
async function initialized(of: Mem0Client): Promise<void> {
	await z.instanceof(Promise).parse(Reflect.get(of, "initialized"));
}

/** The one request a call made. */
async function sent(call: Promise<unknown>): Promise<{ request: RecordedRequest; result: unknown }> {
	const result = await call;
	const requests = recorder.take();
	expect(requests).toHaveLength(1);
	const [request] = requests;
	if (!request) throw new Error("no request");
	return { request, result };
}

beforeAll(async () => {
	// Every request the client makes goes through the global fetch, telemetry included: it may only reach loopback, and
	// anything else is recorded (afterAll fails on it) and never leaves the machine.
	const realFetch = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
		const url = input instanceof Request ? input.url : String(input);
		if (new URL(url).hostname === "127.0.0.1") return realFetch(input, init);
		outside.push(url);
		return Promise.reject(new TypeError(`blocked: ${url}`));
	});
	client = await mem0Client(recorder.url, KEY);
	await initialized(client);
	expect(recorder.take().map((r) => r.url)).toEqual(["/v1/ping/"]);
});

afterEach(() => {
	expect(recorder.take()).toEqual([]);
});

afterAll(async () => {
	// Telemetry would be posted after the calls; whatever the microtasks and one turn of the loop would start has started.
	await new Promise((resolve) => setImmediate(resolve));
	expect(outside).toEqual([]);
	vi.restoreAllMocks();
	await recorder.close();
});

describe("the constructor", () => {
	it("pings GET /v1/ping/ once, with the key as a Token, and keeps the org and project ids", async () => {
		const host = `${recorder.url}/mem0`;
		const other = await mem0Client(host, "sk-another-key");
		await initialized(other);
		const [ping, ...rest] = recorder.take();
		expect(rest).toEqual([]);
		expect(ping).toMatchObject({ method: "GET", url: "/mem0/v1/ping/", body: undefined });
		expect(ping?.headers).toMatchObject({ authorization: "Token sk-another-key", "mem0-user-id": "" });
		expect(ping?.headers["x-mem0-client"]).toBeUndefined();
		expect(Reflect.get(other, "organizationId")).toBe("org_1");
		// The same host and key in the same process share the first client's ping.
		await initialized(await mem0Client(host, "sk-another-key"));
		expect(recorder.take()).toEqual([]);
	});

	it("stores the ping's org_id and project_id, and with no user_email names itself by a random id", () => {
		expect(Reflect.get(client, "organizationId")).toBe("org_1");
		expect(Reflect.get(client, "projectId")).toBe("proj_1");
		expect(client.telemetryId).toMatch(/^[a-z0-9]+$/);
	});
});

describe("every call after the ping", () => {
	it("sends the key as a Token, JSON, the client's name and its telemetry id (not the key)", async () => {
		const { request } = await sent(client.get("mem_1"));
		expect(request.headers).toMatchObject({
			authorization: `Token ${KEY}`,
			"content-type": "application/json",
			"x-mem0-client": "mem0-js/3.3.1",
			"mem0-user-id": client.telemetryId,
		});
	});
});

describe("add", () => {
	const messages = [{ role: "user" as const, content: "I like tea" }];

	it("with infer:false POSTs /v3/memories/add/ in snake_case, metadata verbatim, and camel-cases the answer", async () => {
		const call = client.add(messages, { userId: "alice", agentId: "bot", metadata: { camelKey: 1 }, infer: false });
		const { request, result } = await sent(call);
		expect(request).toMatchObject({ method: "POST", url: "/v3/memories/add/" });
		expect(request.body).toEqual({ messages, user_id: "alice", agent_id: "bot", metadata: { camelKey: 1 }, infer: false });
		expect(result).toEqual({ status: "SUCCEEDED", eventId: "evt_1", results: [{ id: "mem_1", data: { memory: "Likes tea" }, event: "ADD" }] });
	});

	it("without infer sends no infer field at all (the server's default applies)", async () => {
		const { request, result } = await sent(client.add(messages, { userId: "alice" }));
		expect(request.body).toEqual({ messages, user_id: "alice" });
		expect(result).toEqual({ status: "PENDING", eventId: "evt_2" });
	});

	it("refuses an empty message list before sending anything", async () => {
		await expect(client.add([], { userId: "alice" })).rejects.toThrow("Cannot process an empty messages payload.");
	});
});

describe("getAll", () => {
	it("POSTs /v3/memories/ with page and page_size in the query and filters verbatim in the body", async () => {
		const filters = { AND: [{ user_id: "alice" }, { created_at: { gte: "2026-01-01" } }] };
		const { request, result } = await sent(client.getAll({ filters, page: 2, pageSize: 50 }));
		expect(request).toMatchObject({ method: "POST", url: "/v3/memories/?page=2&page_size=50", body: { filters } });
		expect(result).toEqual({
			count: 1,
			next: null,
			previous: null,
			results: [
				{
					id: "mem_1",
					memory: "Likes tea",
					userId: "alice",
					metadata: { source_app: "notes", camelKey: 1 },
					categories: ["food"],
					createdAt: "2026-12-01T00:00:00Z",
					updatedAt: "2026-12-01T00:00:00Z",
				},
			],
		});
	});

	it("with no options POSTs an empty object", async () => {
		const { request } = await sent(client.getAll());
		expect(request).toMatchObject({ url: "/v3/memories/", body: {} });
	});

	it("refuses a top-level entity id before sending anything (they go in filters)", async () => {
		// The d.ts forbids it; a JavaScript caller can still pass it.
		const call: Promise<unknown> = Reflect.apply(client.getAll, client, [{ userId: "alice" }]);
		await expect(call).rejects.toThrow("Top-level entity parameters [userId] are not supported in getAll()");
	});
});

describe("search", () => {
	it("POSTs /v3/memories/search/ with the query, output_format v1.1, snake_case options and filters verbatim", async () => {
		const options = { filters: { user_id: "alice" }, topK: 5, threshold: 0.3, rerank: true, keywordSearch: true };
		const { request, result } = await sent(client.search("what does alice drink?", options));
		expect(request).toMatchObject({ method: "POST", url: "/v3/memories/search/" });
		expect(request.body).toEqual({
			query: "what does alice drink?",
			output_format: "v1.1",
			top_k: 5,
			threshold: 0.3,
			rerank: true,
			keyword_search: true,
			filters: { user_id: "alice" },
		});
		expect(result).toMatchObject({ results: [{ id: "mem_1", memory: "Likes tea", score: 0.83, userId: "alice" }] });
	});

	it("sends only the query and output_format when given nothing else (top_k and threshold are the server's defaults)", async () => {
		const { request } = await sent(client.search("tea"));
		expect(request.body).toEqual({ query: "tea", output_format: "v1.1" });
	});
});

describe("one memory", () => {
	it("get: GET /v1/memories/{id}/ with the id URL-encoded", async () => {
		const { request, result } = await sent(client.get("mem_1"));
		expect(request).toMatchObject({ method: "GET", url: "/v1/memories/mem_1/", body: undefined });
		expect(result).toMatchObject({ id: "mem_1", userId: "alice", createdAt: "2026-12-01T00:00:00Z" });
		await expect(client.get("a/b c")).rejects.toMatchObject({ name: "MemoryNotFoundError" });
		expect(recorder.take().map((r) => r.url)).toEqual(["/v1/memories/a%2Fb%20c/"]);
	});

	it("update: PUT /v1/memories/{id}/ with text and metadata", async () => {
		const { request } = await sent(client.update("mem_1", { text: "Likes green tea", metadata: { camelKey: 2 } }));
		expect(request).toMatchObject({ method: "PUT", url: "/v1/memories/mem_1/", body: { text: "Likes green tea", metadata: { camelKey: 2 } } });
	});

	it("delete: DELETE /v1/memories/{id}/ with no body", async () => {
		const { request, result } = await sent(client.delete("mem_1"));
		expect(request).toMatchObject({ method: "DELETE", url: "/v1/memories/mem_1/", body: undefined });
		expect(result).toEqual({ message: "ok" });
	});

	it("history: GET /v1/memories/{id}/history/, an array, camel-cased", async () => {
		const { request, result } = await sent(client.history("mem_1"));
		expect(request).toMatchObject({ method: "GET", url: "/v1/memories/mem_1/history/" });
		expect(result).toEqual([{ id: "h_1", memoryId: "mem_1", oldMemory: "Likes coffee", newMemory: "Likes tea", event: "UPDATE", userId: "alice" }]);
	});
});

describe("deleteAll", () => {
	it("DELETEs /v1/memories/ with the entity ids in the query, snake_case", async () => {
		const { request, result } = await sent(client.deleteAll({ userId: "alice", runId: "r 1" }));
		expect(request).toMatchObject({ method: "DELETE", url: "/v1/memories/?user_id=alice&run_id=r+1", body: undefined });
		expect(result).toEqual({ message: "Memories deleted successfully!" });
	});

	it("with no entity sends no query at all: the server decides (Mem0 refuses it)", async () => {
		const { request } = await sent(client.deleteAll());
		expect(request.url).toBe("/v1/memories/");
	});
});

describe("entities", () => {
	it("users: GET /v1/entities/ with page and page_size", async () => {
		const { request, result } = await sent(client.users({ page: 2, pageSize: 10 }));
		expect(request).toMatchObject({ method: "GET", url: "/v1/entities/?page=2&page_size=10" });
		expect(result).toMatchObject({ count: 1, results: [{ name: "alice", type: "user", totalMemories: 3 }] });
	});

	it("deleteUsers({userId}): DELETE /v2/entities/user/{id}/, answering its own message", async () => {
		const { request, result } = await sent(client.deleteUsers({ userId: "alice" }));
		expect(request).toMatchObject({ method: "DELETE", url: "/v2/entities/user/alice/" });
		expect(result).toEqual({ message: "Entity deleted successfully." });
	});

	it("deleteUsers(): lists GET /v1/entities/, then deletes each one it got", async () => {
		await client.deleteUsers();
		expect(recorder.take().map((r) => `${r.method} ${r.url}`)).toEqual(["GET /v1/entities/", "DELETE /v2/entities/user/alice/"]);
	});
});

describe("events", () => {
	it("have no method: GET /v1/event/{id}/ is polled with a plain fetch", () => {
		const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(client));
		expect(methods.filter((name) => /event/i.test(name))).toEqual(["_captureEvent"]);
	});
});

describe("batches and feedback", () => {
	it("batchUpdate: PUT /v1/batch/ {memories:[{memory_id, text}]}", async () => {
		const { request } = await sent(client.batchUpdate([{ memoryId: "mem_1", text: "Likes tea" }]));
		expect(request).toMatchObject({ method: "PUT", url: "/v1/batch/", body: { memories: [{ memory_id: "mem_1", text: "Likes tea" }] } });
	});

	it("batchDelete: DELETE /v1/batch/ with a JSON body {memories:[{memory_id}]}", async () => {
		const { request } = await sent(client.batchDelete(["mem_1", "mem_2"]));
		expect(request).toMatchObject({ method: "DELETE", url: "/v1/batch/", body: { memories: [{ memory_id: "mem_1" }, { memory_id: "mem_2" }] } });
		expect(request.headers["content-type"]).toBe("application/json");
	});

	it("feedback: POST /v1/feedback/ in snake_case", async () => {
		const { request, result } = await sent(client.feedback({ memoryId: "mem_1", feedback: "POSITIVE", feedbackReason: "right" }));
		expect(request).toMatchObject({ method: "POST", url: "/v1/feedback/", body: { memory_id: "mem_1", feedback: "POSITIVE", feedback_reason: "right" } });
		expect(result).toEqual({ id: "fb_1", feedback: "POSITIVE", feedbackReason: null });
	});
});

describe("errors", () => {
	// A client whose ping fails says so on the console, and again (no telemetry id) after each call.
	beforeEach(() => {
		vi.spyOn(console, "error").mockImplementation(() => undefined);
		vi.spyOn(console, "warn").mockImplementation(() => undefined);
	});
	afterEach(() => {
		vi.mocked(console.error).mockRestore();
		vi.mocked(console.warn).mockRestore();
	});

	it.each([
		[400, "ValidationError"],
		[401, "AuthenticationError"],
		[403, "AuthenticationError"],
		[404, "MemoryNotFoundError"],
		[413, "MemoryQuotaExceededError"],
		[422, "ValidationError"],
		[429, "RateLimitError"],
		[500, "MemoryError"],
		[503, "NetworkError"],
	])("a %i becomes a %s whose message is the body's text, as it came", async (status, name) => {
		const failing = await mem0Client(`${recorder.url}/status-${status}`, KEY);
		await initialized(failing);
		recorder.take();
		const error = await failing.get("mem_1").catch((caught: unknown) => caught);
		expect(recorder.take()).toHaveLength(1);
		expect(error).toMatchObject({ name, errorCode: `HTTP_${status}`, message: '{"detail":"refused"}' });
	});

	it("a failed ping neither throws nor stops the client; later calls still go out", async () => {
		const failing = await mem0Client(`${recorder.url}/status-401`, "sk-wrong");
		await initialized(failing);
		expect(console.error).toHaveBeenCalledWith("Failed to initialize client:", expect.objectContaining({ name: "AuthenticationError" }));
		expect(failing.telemetryId).toBe("");
		await expect(failing.get("mem_1")).rejects.toMatchObject({ name: "AuthenticationError" });
		expect(recorder.take().map((r) => `${r.method} ${r.url}`)).toEqual(["GET /status-401/v1/ping/", "GET /status-401/v1/memories/mem_1/"]);
	});

	it("a 2xx that is not JSON fails with a SyntaxError, not a MemoryError", async () => {
		const notJson = await startRecorder(() => ({ status: 200, body: "" }));
		const broken = await mem0Client(notJson.url, KEY);
		await initialized(broken);
		await expect(broken.get("mem_1")).rejects.toMatchObject({ name: "SyntaxError" });
		await notJson.close();
	});
});
