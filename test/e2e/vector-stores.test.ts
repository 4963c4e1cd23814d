// The openai SDK's Vector Stores API against the gateway under wrangler dev: files in local R2, ingestion on the
// local queue, embeddings from the seeded offline mock channel, vectors in the local index.
import OpenAI, { NotFoundError, toFile } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { tinyDocx, tinyPdf } from "../support/document-fixtures";
import { adminApi, userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway}/v1`, maxRetries: 0 });

const DOCS = {
	"breakers.md":
		"# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row; the relay then skips the channel until a probe succeeds.",
	"billing.txt": "Billing: every request is priced when it ends and charged once into the ledger. Top-ups raise a user's balance.",
	"memory.html": "<html><body><h1>Memory</h1><p>Long-term memory keeps facts about each end user, extracted from conversations.</p></body></html>",
};

let sdk: OpenAI;
let stranger: OpenAI;

beforeAll(async () => {
	sdk = client(await userKey("rag-e2e"));
	stranger = client(await userKey("rag-stranger"));
});

describe("the openai SDK's vector stores against wrangler dev", () => {
	it("uploads files, ingests them to completed, and searches with the right file first", async () => {
		const store = await sdk.vectorStores.create({ name: "handbook" });
		const files = await Promise.all(Object.entries(DOCS).map(([name, text]) => toFile(Buffer.from(text), name)));
		const batch = await sdk.vectorStores.fileBatches.uploadAndPoll(store.id, { files });
		expect(batch.status).toBe("completed");
		expect(batch.file_counts).toMatchObject({ completed: 3, failed: 0, total: 3 });

		const one = await sdk.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from("Rerank orders search hits by a cross-encoder."), "rerank.txt"));
		expect(one.status).toBe("completed");
		// A PDF and a Word document, built at test time, parsed by the gateway (unpdf, mammoth).
		const pdf = await sdk.vectorStores.files.uploadAndPoll(
			store.id,
			await toFile(Buffer.from(tinyPdf([["Quotas cap what a key may spend in total."]])), "quotas.pdf"),
		);
		const docx = await sdk.vectorStores.files.uploadAndPoll(
			store.id,
			await toFile(Buffer.from(tinyDocx([{ text: "Sessions", heading: 1 }, { text: "A dashboard session lasts twelve hours." }])), "sessions.docx"),
		);
		expect([pdf.status, docx.status]).toEqual(["completed", "completed"]);

		const listed: string[] = [];
		for await (const f of sdk.vectorStores.files.list(store.id, { limit: 2 })) listed.push(f.id);
		expect(listed).toHaveLength(6);
		const quotas = await sdk.vectorStores.search(store.id, { query: "what caps a key's total spend", max_num_results: 1 });
		expect(quotas.data[0]?.filename).toBe("quotas.pdf");
		const sessions = await sdk.vectorStores.search(store.id, { query: "how long does a dashboard session last", max_num_results: 1 });
		expect(sessions.data[0]?.filename).toBe("sessions.docx");

		const hits = await sdk.vectorStores.search(store.id, { query: "when does the circuit breaker open", max_num_results: 2 });
		expect(hits.data[0]?.filename).toBe("breakers.md");
		expect(hits.data[0]?.content[0]?.text).toContain("five failures");
		expect((await sdk.vectorStores.retrieve(store.id)).file_counts.completed).toBe(6);
	});

	it("answers a file_search question through /v1/responses on an Anthropic-format channel, citing the file", async () => {
		// The mock upstream plays Anthropic's recorded answer; the gateway runs the search and adds the citations.
		const model = `claude-rag-${crypto.randomUUID().slice(0, 8)}`;
		await adminApi("POST", "/api/channels", {
			name: model,
			type: "anthropic",
			base_url: `${inject("upstreamUrl")}/rag-e2e/fixture/anthropic/text`,
			key: "sk-ant-api03-0000000042",
			models: [model],
		});
		const store = await sdk.vectorStores.create({ name: "answers" });
		const file = await sdk.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(DOCS["breakers.md"]), "breakers.md"));
		expect(file.status).toBe("completed");

		const response = await sdk.responses.create({
			model,
			input: "When does a circuit breaker open?",
			tools: [{ type: "file_search", vector_store_ids: [store.id] }],
			include: ["file_search_call.results"],
		});
		const search = response.output.find((o) => o.type === "file_search_call");
		expect(search).toMatchObject({ status: "completed", queries: ["When does a circuit breaker open?"] });
		expect(search?.type === "file_search_call" ? search.results?.[0]?.filename : undefined).toBe("breakers.md");
		const message = response.output.find((o) => o.type === "message");
		const part = message?.type === "message" ? message.content[0] : undefined;
		const citations = part?.type === "output_text" ? part.annotations : [];
		expect(citations).toContainEqual(expect.objectContaining({ type: "file_citation", file_id: file.id, filename: "breakers.md" }));
		expect(response.output_text.length).toBeGreaterThan(0);
	});

	it("keeps a user's stores from another user's key", async () => {
		const store = await sdk.vectorStores.create({ name: "private" });
		await expect(stranger.vectorStores.retrieve(store.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.vectorStores.search(store.id, { query: "anything" })).rejects.toBeInstanceOf(NotFoundError);
		const theirs: string[] = [];
		for await (const s of stranger.vectorStores.list()) theirs.push(s.id);
		expect(theirs).not.toContain(store.id);
		expect(await sdk.vectorStores.delete(store.id)).toEqual({ id: store.id, object: "vector_store.deleted", deleted: true });
	});
});
