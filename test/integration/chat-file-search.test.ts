import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, chat, createChannel, readSse, uid, upstream, upstreamLog } from "../support/gateway";
import { keyOfNewUser, storeWith, upload } from "../support/knowledge";

interface Cited {
	citations?: { type: string; file_id: string; filename: string; index: number }[];
	file_search?: { queries: string[]; results: { file_id: string; filename: string; score: number; text: string }[] };
	choices: { finish_reason: string | null; message?: { content: string }; delta?: { content?: string } }[];
}

describe("the gateway's file_search extension field on /v1/chat/completions and /v1/messages", () => {
	const tag = `cfs-${uid()}`;
	const model = `gpt-cfs-${uid()}`;
	const claude = `claude-cfs-${uid()}`;
	const question = "When does a circuit breaker open?";
	let key: string;
	let fileId: string;
	let storeId: string;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		// An Anthropic-format channel: the answer is translated, and still gets the citations.
		await createChannel({
			type: "anthropic",
			base_url: `${inject("upstreamUrl")}/${tag}-ant/fixture/anthropic/text`,
			key: "sk-ant-api03-0000000009",
			models: [claude],
		});
		key = await keyOfNewUser();
		fileId = await upload(key, "breakers.md", "# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row.");
		const other = await upload(key, "billing.md", "# Billing\n\nTop-ups raise a balance; every request is charged once.");
		storeId = await storeWith(key, [fileId, other]);
	});

	it("gives an OpenAI channel the excerpts without the field, and answers with the citations and the search", async () => {
		const res = await chat(key, {
			model,
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "user", content: question },
			],
			file_search: { vector_store_ids: [storeId], max_num_results: 1 },
		});
		expect(res.status).toBe(200);
		const body = await res.json<Cited>();
		const text = body.choices[0]?.message?.content ?? "";
		expect(body.citations).toEqual([{ type: "file_citation", file_id: fileId, filename: "breakers.md", index: text.length }]);
		expect(body.file_search?.queries).toEqual([question]);
		expect(body.file_search?.results.map((r) => r.file_id)).toEqual([fileId]);

		const [sent] = await upstreamLog(tag);
		expect(sent?.body.file_search).toBeUndefined();
		const messages = sent?.body.messages as { role: string; content: string }[];
		expect(messages.map((m) => m.role)).toEqual(["system", "system", "user"]);
		expect(messages[1]?.content).toContain("opens after five failures");
	});

	it("streams every chunk and puts the citations on the one that finishes the answer", async () => {
		const res = await chat(key, { model, stream: true, messages: [{ role: "user", content: question }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const chunks = events.filter((e): e is Cited => e !== "[DONE]");
		const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
		expect(text.length).toBeGreaterThan(0);
		const finishing = chunks.find((c) => c.choices[0]?.finish_reason);
		expect(finishing?.citations?.map((c) => [c.file_id, c.index])).toContainEqual([fileId, text.length]);
		expect(finishing?.file_search?.queries).toEqual([question]);
		expect(chunks.filter((c) => c.citations)).toHaveLength(1);
		expect(events.at(-1)).toBe("[DONE]");
	});

	it("adds the citations to an answer translated from another wire", async () => {
		const res = await chat(key, { model: claude, messages: [{ role: "user", content: question }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const body = await res.json<Cited>();
		expect(body.citations?.map((c) => c.file_id)).toContain(fileId);
		const [sent] = await upstreamLog(`${tag}-ant`);
		expect(JSON.stringify(sent?.body.system)).toContain("opens after five failures");
	});

	it("refuses another user's store (404) and a malformed field (400)", async () => {
		const stranger = await keyOfNewUser();
		const res = await chat(stranger, { model, messages: [{ role: "user", content: "hi" }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(404);
		const bad = await chat(key, { model, messages: [{ role: "user", content: "hi" }], file_search: { vector_store_ids: [] } });
		expect(bad.status).toBe(400);
		expect((await bad.json<{ error: { param?: string } }>()).error.param).toContain("file_search");
	});
	const messages = (apiKey: string, body: Record<string, unknown>) =>
		call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ max_tokens: 200, messages: [{ role: "user", content: question }], ...body }),
		});

	interface MessagesCited {
		citations?: { type: string; file_id: string; filename: string; index: number }[];
		file_search?: { queries: string[] };
		content: { type: string; text?: string }[];
	}

	it("on /v1/messages: an Anthropic channel gets the excerpts after the caller's system prompt, the answer the citations", async () => {
		const res = await messages(key, { model: claude, system: "Be brief.", file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const body = await res.json<MessagesCited>();
		const text = body.content.flatMap((b) => (b.type === "text" ? [b.text ?? ""] : [])).join("");
		expect(body.citations).toContainEqual({ type: "file_citation", file_id: fileId, filename: "breakers.md", index: text.length });
		expect(body.file_search?.queries).toEqual([question]);
		const sent = (await upstreamLog(`${tag}-ant`)).at(-1);
		expect(sent?.body.file_search).toBeUndefined();
		const system = String(sent?.body.system);
		expect(system.startsWith("Be brief.")).toBe(true);
		expect(system).toContain("opens after five failures");
	});

	it("on /v1/messages streamed (translated from an OpenAI channel): the citations ride on message_delta", async () => {
		const res = await messages(key, { model, stream: true, file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const events = (await readSse(res)).events as { type: string; delta?: { text?: string }; citations?: { file_id: string; index: number }[] }[];
		const text = events.map((e) => (e.type === "content_block_delta" ? (e.delta?.text ?? "") : "")).join("");
		const end = events.find((e) => e.type === "message_delta");
		expect(end?.citations?.map((c) => [c.file_id, c.index])).toContainEqual([fileId, text.length]);
		expect(events.filter((e) => e.citations)).toHaveLength(1);
		expect(events.at(-1)?.type).toBe("message_stop");
		const bad = await messages(key, { model, file_search: { vector_store_ids: "vs_x" } });
		expect(bad.status).toBe(400);
	});
});
