import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, createChannel, readSse, uid, upstreamLog } from "../support/gateway";
import { auth, keyOfNewUser, storeWith, upload } from "../support/knowledge";

const post = (key: string, path: string, body: unknown) =>
	call(path, { method: "POST", headers: { ...auth(key), "Content-Type": "application/json" }, body: JSON.stringify(body) });

interface Output {
	type: string;
	status?: string;
	queries?: string[];
	results?: { file_id: string; filename: string; score: number; text: string }[] | null;
	content?: { type: string; text: string; annotations: { type: string; file_id: string; filename: string; index: number }[] }[];
}

describe("file_search on /v1/responses, run by the gateway for any channel", () => {
	const tag = `fs-${uid()}`;
	const model = `claude-fs-${uid()}`;
	let key: string;
	let fileId: string;
	let storeId: string;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		// An Anthropic-format channel: the mock upstream plays Anthropic's recorded text answer.
		await createChannel({
			type: "anthropic",
			base_url: `${inject("upstreamUrl")}/${tag}/fixture/anthropic/text`,
			key: "sk-ant-api03-0000000009",
			models: [model],
		});
		key = await keyOfNewUser();
		fileId = await upload(key, "breakers.md", "# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row.");
		const other = await upload(key, "billing.md", "# Billing\n\nTop-ups raise a balance; every request is charged once.");
		storeId = await storeWith(key, [fileId, other]);
	});

	it("searches, gives the model the excerpts, and answers with the file_search_call item and file citations", async () => {
		const res = await post(key, "/v1/responses", {
			model,
			input: "When does a circuit breaker open?",
			tools: [{ type: "file_search", vector_store_ids: [storeId], max_num_results: 1 }],
			include: ["file_search_call.results"],
		});
		expect(res.status).toBe(200);
		const body = await res.json<{ output: Output[]; output_text: string }>();
		const [call0, message] = body.output;
		expect(call0).toMatchObject({ type: "file_search_call", status: "completed", queries: ["When does a circuit breaker open?"] });
		expect(call0?.results?.map((r) => r.file_id)).toEqual([fileId]);
		expect(call0?.results?.[0]?.text).toContain("five failures");
		expect(message?.type).toBe("message");
		const text = message?.content?.[0];
		expect(text?.annotations).toEqual([{ type: "file_citation", file_id: fileId, filename: "breakers.md", index: text?.text.length }]);

		// The model was asked with the excerpt in its system prompt; it never saw the tool.
		const [sent] = await upstreamLog(tag);
		expect(JSON.stringify(sent?.body.system)).toContain("opens after five failures");
		expect(sent?.body.tools).toBeUndefined();
	});

	it("streams the file search's events before the answer's, and the citations before the text is done", async () => {
		const res = await post(key, "/v1/responses", {
			model,
			stream: true,
			input: "When does a circuit breaker open?",
			tools: [{ type: "file_search", vector_store_ids: [storeId] }],
		});
		expect(res.status).toBe(200);
		const types = (await readSse(res)).events.map((e) => (e as { type: string }).type);
		const at = (t: string) => types.indexOf(t);
		expect(at("response.file_search_call.in_progress")).toBeGreaterThan(at("response.created"));
		expect(at("response.file_search_call.searching")).toBeGreaterThan(at("response.file_search_call.in_progress"));
		expect(at("response.file_search_call.completed")).toBeLessThan(at("response.output_text.delta"));
		expect(at("response.output_text.annotation.added")).toBeLessThan(at("response.output_text.done"));
		expect(types.at(-1)).toBe("response.completed");
	});

	it("refuses another user's store (404) and a malformed tool (400)", async () => {
		const stranger = await keyOfNewUser();
		const res = await post(stranger, "/v1/responses", { model, input: "hi", tools: [{ type: "file_search", vector_store_ids: [storeId] }] });
		expect(res.status).toBe(404);
		const bad = await post(key, "/v1/responses", { model, input: "hi", tools: [{ type: "file_search", vector_store_ids: [] }] });
		expect(bad.status).toBe(400);
		expect((await bad.json<{ error: { param: string } }>()).error.param).toBe("tools");
	});
});
