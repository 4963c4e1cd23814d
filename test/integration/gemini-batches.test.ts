import { beforeAll, describe, expect, it } from "vitest";
import { batchScenario, pauseBatchQueue, work } from "../support/batches";
import { call } from "../support/gateway";

beforeAll(pauseBatchQueue);

interface InlinedResponse {
	response?: { candidates: { content: { parts: { text?: string }[] } }[]; modelVersion: string };
	error?: { code: number; message: string; status: string };
	metadata?: Record<string, unknown>;
}

interface Batch {
	"@type": string;
	name: string;
	model: string;
	displayName: string;
	state: string;
	createTime: string;
	updateTime: string;
	endTime?: string;
	batchStats: { requestCount: string; successfulRequestCount: string; failedRequestCount: string; pendingRequestCount: string };
	output?: { inlinedResponses: { inlinedResponses: InlinedResponse[] } };
}

interface Operation {
	name: string;
	metadata: Batch;
	done: boolean;
}

const gemini = (key: string, path: string, init: RequestInit = {}) =>
	call(`/v1beta${path}`, { ...init, headers: { "x-goog-api-key": key, "content-type": "application/json" } });

const ask = (text: string) => ({ contents: [{ role: "user", parts: [{ text }] }] });

async function createBatch(key: string, model: string, requests: unknown[], displayName = "nightly"): Promise<Operation> {
	const res = await gemini(key, `/models/${model}:batchGenerateContent`, {
		method: "POST",
		body: JSON.stringify({ batch: { display_name: displayName, input_config: { requests: { requests } } } }),
	});
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json<Operation>();
}

async function getBatch(key: string, name: string): Promise<Operation> {
	const res = await gemini(key, `/${name}`);
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json<Operation>();
}

describe("Gemini Batch Mode", () => {
	it("runs inline requests: an operation, then responses in input order with their metadata", async () => {
		const { model, key, keyId } = await batchScenario();
		const created = await createBatch(key, model, [
			{ request: ask("one"), metadata: { key: "first" } },
			{ request: { contents: "not a list" }, metadata: { key: "broken" } },
			{ request: { ...ask("three"), model: `models/${model}` } },
		]);
		expect(created).toMatchObject({
			done: false,
			metadata: {
				"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
				model: `models/${model}`,
				displayName: "nightly",
				state: "BATCH_STATE_RUNNING",
				batchStats: { requestCount: "3", successfulRequestCount: "0", failedRequestCount: "0", pendingRequestCount: "3" },
			},
		});
		expect(created.name).toMatch(/^batches\/batch_/);
		expect(created.metadata.name).toBe(created.name);
		expect(created.metadata.output).toBeUndefined();

		await work(keyId);
		const done = await getBatch(key, created.name);
		expect(done).toMatchObject({
			name: created.name,
			done: true,
			metadata: {
				state: "BATCH_STATE_SUCCEEDED",
				batchStats: { requestCount: "3", successfulRequestCount: "2", failedRequestCount: "1", pendingRequestCount: "0" },
			},
		});
		expect(done.metadata.endTime).toEqual(expect.any(String));
		const responses = done.metadata.output?.inlinedResponses.inlinedResponses ?? [];
		expect(responses).toHaveLength(3);
		expect(responses[0]).toMatchObject({ metadata: { key: "first" }, response: { candidates: [expect.anything()] } });
		expect(responses[0]?.error).toBeUndefined();
		expect(responses[1]).toMatchObject({ metadata: { key: "broken" }, error: { code: 3, message: expect.any(String) } });
		expect(responses[1]?.response).toBeUndefined();
		expect(responses[2]).toMatchObject({ response: { candidates: [expect.anything()] } });
		expect(responses[2]?.metadata).toBeUndefined();
	});

	it("takes repeated keys (each result by its place) and camelCase fields, as @google/genai sends them", async () => {
		const { model, key, keyId } = await batchScenario();
		const res = await gemini(key, `/models/${model}:batchGenerateContent`, {
			method: "POST",
			body: JSON.stringify({
				batch: {
					displayName: "camel",
					inputConfig: { requests: { requests: ["a", "b"].map((text) => ({ request: ask(text), metadata: { key: "same", text } })) } },
				},
			}),
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const created = await res.json<Operation>();
		expect(created.metadata.displayName).toBe("camel");
		await work(keyId);
		const responses = (await getBatch(key, created.name)).metadata.output?.inlinedResponses.inlinedResponses ?? [];
		expect(responses.map((r) => r.metadata)).toEqual([
			{ key: "same", text: "a" },
			{ key: "same", text: "b" },
		]);
		expect(responses.every((r) => r.response !== undefined)).toBe(true);
	});

	it("lists by page, cancels, deletes once ended; another user's batch is a 404", async () => {
		const { model, key } = await batchScenario();
		const first = await createBatch(key, model, [{ request: ask("x") }], "first");
		const second = await createBatch(key, model, [{ request: ask("y") }], "second");
		const page = await (await gemini(key, "/batches?pageSize=1")).json<{ operations: Operation[]; nextPageToken?: string }>();
		expect(page.operations).toHaveLength(1);
		expect(page.nextPageToken).toEqual(expect.any(String));
		const next = await (await gemini(key, `/batches?pageSize=1&pageToken=${page.nextPageToken}`)).json<{ operations: Operation[]; nextPageToken?: string }>();
		expect(next.nextPageToken).toBeUndefined();
		// Both were made within a millisecond, perhaps: newest first, ties by id.
		expect([...page.operations, ...next.operations].map((o) => o.name).sort()).toEqual([first.name, second.name].sort());

		// Running: not deleted.
		const early = await gemini(key, `/${first.name}`, { method: "DELETE" });
		expect(early.status).toBe(400);
		expect(await early.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });

		const other = await batchScenario();
		for (const [path, method] of [
			[`/${first.name}`, "GET"],
			[`/${first.name}:cancel`, "POST"],
			[`/${first.name}`, "DELETE"],
		] as const) {
			const res = await gemini(other.key, path, { method });
			expect(res.status, `${method} ${path}`).toBe(404);
			expect(await res.json()).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
		}
		expect((await (await gemini(other.key, "/batches")).json<{ operations: Operation[] }>()).operations).toEqual([]);
		// Nor does OpenAI's Batch API show it.
		expect((await call(`/v1/batches/${first.name.slice("batches/".length)}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);

		const cancel = await gemini(key, `/${first.name}:cancel`, { method: "POST" });
		expect(cancel.status).toBe(200);
		expect(await cancel.json()).toEqual({});
		const cancelled = await getBatch(key, first.name);
		expect(cancelled).toMatchObject({ done: true, metadata: { state: "BATCH_STATE_CANCELLED", batchStats: { failedRequestCount: "1" } } });
		expect(cancelled.metadata.output?.inlinedResponses.inlinedResponses).toEqual([{ error: { code: 1, message: expect.any(String) } }]);

		const deleted = await gemini(key, `/${first.name}`, { method: "DELETE" });
		expect(deleted.status).toBe(200);
		expect(await deleted.json()).toEqual({});
		expect((await gemini(key, `/${first.name}`)).status).toBe(404);
	});

	it("refuses a file input and a malformed body in Gemini's error format", async () => {
		const { model, key } = await batchScenario();
		const file = await gemini(key, `/models/${model}:batchGenerateContent`, {
			method: "POST",
			body: JSON.stringify({ batch: { input_config: { file_name: "files/abc" } } }),
		});
		expect(file.status).toBe(400);
		const body = await file.json<{ error: { code: number; message: string; status: string } }>();
		expect(body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
		expect(body.error.message).toMatch(/only inline requests/i);

		const empty = await gemini(key, `/models/${model}:batchGenerateContent`, { method: "POST", body: JSON.stringify({ batch: {} }) });
		expect(empty.status).toBe(400);
		expect(await empty.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
		const none = await gemini(key, `/models/${model}:batchGenerateContent`, {
			method: "POST",
			body: JSON.stringify({ batch: { input_config: { requests: { requests: [] } } } }),
		});
		expect(none.status).toBe(400);
		expect((await gemini(key, "/batches/batch_nope")).status).toBe(404);
		// generateContent is served as before, next to the batch route.
		expect((await gemini(key, `/models/${model}:generateContent`, { method: "POST", body: JSON.stringify(ask("hi")) })).status).toBe(200);
	});

	it("needs the batches scope", async () => {
		const { model, key } = await batchScenario({ scopes: ["relay"] });
		const create = await gemini(key, `/models/${model}:batchGenerateContent`, {
			method: "POST",
			body: JSON.stringify({ batch: { input_config: { requests: { requests: [{ request: ask("x") }] } } } }),
		});
		expect(create.status).toBe(403);
		expect(await create.json()).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });
		expect((await gemini(key, "/batches")).status).toBe(403);
		expect((await gemini(key, `/models/${model}:generateContent`, { method: "POST", body: JSON.stringify(ask("hi")) })).status).toBe(200);
	});
});
