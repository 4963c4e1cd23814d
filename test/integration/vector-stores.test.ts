import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { INGEST_QUEUE } from "../../queues/ingest-message";
import { consumeIngest } from "../../src/knowledge/ingest";
import { sha256Hex } from "../../src/lib/crypto";
import { tinyDocx, tinyPdf } from "../support/document-fixtures";
import { call, createChannel, createKey, uid } from "../support/gateway";

interface Store {
	id: string;
	status: string;
	file_counts: { in_progress: number; completed: number; failed: number; cancelled: number; total: number };
	usage_bytes: number;
	dimensions: number | null;
}
interface StoreFile {
	id: string;
	status: string;
	stage: string;
	progress: number;
	chunk_count: number;
	last_error: { code: string; message: string } | null;
	attributes: Record<string, unknown> | null;
}
interface SearchPage {
	object: string;
	search_query: string[];
	data: { file_id: string; filename: string; score: number; attributes: Record<string, unknown> | null; content: { type: string; text: string }[] }[];
}

const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
const json = (key: string, body: unknown) => ({ method: "POST", headers: { ...auth(key), "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function keyOfNewUser(): Promise<string> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`kb-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return (await createKey({ user_id: user.id })).key;
}

async function upload(key: string, filename: string, content: string | Uint8Array): Promise<string> {
	const form = new FormData();
	form.set("purpose", "assistants");
	form.set("file", new File([content], filename));
	const res = await call("/v1/files", { method: "POST", headers: auth(key), body: form });
	if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
	return (await res.json<{ id: string }>()).id;
}

async function settled(key: string, storeId: string): Promise<Store> {
	const until = Date.now() + 30_000;
	for (;;) {
		const store = await (await call(`/v1/vector_stores/${storeId}`, { headers: auth(key) })).json<Store>();
		if (store.file_counts.in_progress === 0) return store;
		if (Date.now() > until) throw new Error(`store ${storeId} still ingesting: ${JSON.stringify(store.file_counts)}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

const BREAKERS =
	"# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row. While open, the relay skips the channel.\n\nAfter the cooldown one probe request is let through; success closes the breaker again.";
const BILLING = "# Billing\n\nEvery request is priced when it ends and charged once into the ledger. Top-ups and redemption codes raise a balance.";
const MEMORY = "Long-term memory keeps facts about each end user, extracted from conversations and searched before each answer.";

describe("vector stores (OpenAI's API, served by the gateway)", () => {
	let key: string;
	let other: string;
	let store: Store;
	let files: { breakers: string; billing: string; memory: string };

	beforeAll(async () => {
		// The offline mock channel embeds: texts that share words get similar vectors.
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		key = await keyOfNewUser();
		other = await keyOfNewUser();
		files = {
			breakers: await upload(key, "breakers.md", BREAKERS),
			billing: await upload(key, "billing.md", BILLING),
			memory: await upload(key, "memory.txt", MEMORY),
		};
		const res = await call("/v1/vector_stores", json(key, { name: "docs", file_ids: Object.values(files) }));
		expect(res.status).toBe(200);
		store = await settled(key, (await res.json<Store>()).id);
	});

	it("ingests each file to completed, with its stage, chunks and the store's usage", async () => {
		expect(store.file_counts).toEqual({ in_progress: 0, completed: 3, failed: 0, cancelled: 0, total: 3 });
		expect(store.status).toBe("completed");
		expect(store.usage_bytes).toBeGreaterThan(0);
		expect(store.dimensions).toBeGreaterThan(0);
		const file = await (await call(`/v1/vector_stores/${store.id}/files/${files.breakers}`, { headers: auth(key) })).json<StoreFile>();
		expect(file).toMatchObject({ id: files.breakers, status: "completed", stage: "done", progress: 1, last_error: null });
		expect(file.chunk_count).toBeGreaterThanOrEqual(1);
		const content = await (await call(`/v1/vector_stores/${store.id}/files/${files.breakers}/content`, { headers: auth(key) })).json<{
			data: { text: string }[];
		}>();
		expect(content.data.map((d) => d.text).join(" ")).toContain("opens after five failures");
	});

	it("searches: the file that answers the question comes first, scored in (0, 1]", async () => {
		const res = await call(`/v1/vector_stores/${store.id}/search`, json(key, { query: "when does a circuit breaker open?", max_num_results: 3 }));
		expect(res.status).toBe(200);
		const page = await res.json<SearchPage>();
		expect(page.object).toBe("vector_store.search_results.page");
		expect(page.search_query).toEqual(["when does a circuit breaker open?"]);
		expect(page.data[0]).toMatchObject({ file_id: files.breakers, filename: "breakers.md" });
		for (const hit of page.data) {
			expect(hit.score).toBeGreaterThan(0);
			expect(hit.score).toBeLessThanOrEqual(1);
		}
		const billing = await (
			await call(`/v1/vector_stores/${store.id}/search`, json(key, { query: "how are top-ups charged to the balance" }))
		).json<SearchPage>();
		expect(billing.data[0]?.file_id).toBe(files.billing);
	});

	it("filters by the files' attributes, set when added and changed later", async () => {
		const res = await call(`/v1/vector_stores/${store.id}/files/${files.memory}`, json(key, { attributes: { topic: "memory", year: 2026 } }));
		expect((await res.json<StoreFile>()).attributes).toEqual({ topic: "memory", year: 2026 });
		const filtered = await (
			await call(`/v1/vector_stores/${store.id}/search`, json(key, { query: "breaker billing memory", filters: { key: "topic", type: "eq", value: "memory" } }))
		).json<SearchPage>();
		expect(filtered.data.map((d) => d.file_id)).toEqual([files.memory]);
		expect(filtered.data[0]?.attributes).toEqual({ topic: "memory", year: 2026 });
	});

	it("lists stores and their files as OpenAI's cursor pages", async () => {
		const stores = await (await call("/v1/vector_stores?limit=1", { headers: auth(key) })).json<{ object: string; data: Store[]; has_more: boolean }>();
		expect(stores.object).toBe("list");
		expect(stores.data.map((s) => s.id)).toEqual([store.id]);
		const first = await (await call(`/v1/vector_stores/${store.id}/files?limit=2&order=asc`, { headers: auth(key) })).json<{
			data: StoreFile[];
			has_more: boolean;
			last_id: string;
		}>();
		expect(first.data).toHaveLength(2);
		expect(first.has_more).toBe(true);
		const rest = await (await call(`/v1/vector_stores/${store.id}/files?limit=2&order=asc&after=${first.last_id}`, { headers: auth(key) })).json<{
			data: StoreFile[];
			has_more: boolean;
		}>();
		expect(rest.has_more).toBe(false);
		expect([...first.data, ...rest.data].map((f) => f.id).sort()).toEqual(Object.values(files).sort());
	});

	it("is invisible to another user: 404 for the store, its search and files, and their file in it", async () => {
		for (const path of [`/v1/vector_stores/${store.id}`, `/v1/vector_stores/${store.id}/files`, `/v1/vector_stores/${store.id}/files/${files.breakers}`]) {
			const res = await call(path, { headers: auth(other) });
			expect(res.status, path).toBe(404);
			expect((await res.json<{ error: { type: string } }>()).error.type).toBe("not_found_error");
		}
		expect((await call(`/v1/vector_stores/${store.id}/search`, json(other, { query: "breaker" }))).status).toBe(404);
		// A store made empty, as the SDK's create({name}) makes it.
		const theirs = await (await call("/v1/vector_stores", json(other, { name: "theirs" }))).json<Store>();
		expect(theirs).toMatchObject({ object: "vector_store", name: "theirs", status: "completed", file_counts: { total: 0 } });
		expect((await call(`/v1/vector_stores/${theirs.id}/files`, json(other, { file_id: files.breakers }))).status).toBe(404);
		expect((await (await call("/v1/vector_stores", { headers: auth(other) })).json<{ data: Store[] }>()).data.map((s) => s.id)).toEqual([theirs.id]);
	});

	it("fails a file it cannot read, with the reason, and nothing else in the store", async () => {
		const binary = await upload(key, "photo.bin", new Uint8Array([0, 159, 146, 150, 0, 1, 2, 3, 255, 0]));
		await call(`/v1/vector_stores/${store.id}/files`, json(key, { file_id: binary }));
		const after = await settled(key, store.id);
		expect(after.file_counts).toMatchObject({ completed: 3, failed: 1, total: 4 });
		const failed = await (await call(`/v1/vector_stores/${store.id}/files/${binary}`, { headers: auth(key) })).json<StoreFile>();
		expect(failed.status).toBe("failed");
		expect(failed.last_error?.code).toBe("unsupported_file");
	});

	it("bills the embeddings to the store's owner, as /v1/embeddings would be", async () => {
		const { results } = await env.DB.prepare(
			"SELECT model, status, prompt_tokens FROM usage_logs WHERE endpoint = '/v1/vector_stores/ingest' AND token_id = (SELECT id FROM tokens WHERE key_hash = ?1)",
		)
			.bind(await sha256Hex(key))
			.all<{ model: string; status: number; prompt_tokens: number }>();
		expect(results.length).toBeGreaterThanOrEqual(1);
		for (const r of results) expect(r).toMatchObject({ model: "mock-embedding", status: 200 });
	});

	it("removes a file from the store, and then the whole store", async () => {
		expect((await call(`/v1/vector_stores/${store.id}/files/${files.billing}`, { method: "DELETE", headers: auth(key) })).status).toBe(200);
		const page = await (await call(`/v1/vector_stores/${store.id}/search`, json(key, { query: "top-ups charged ledger balance" }))).json<SearchPage>();
		expect(page.data.map((d) => d.file_id)).not.toContain(files.billing);
		const deleted = await call(`/v1/vector_stores/${store.id}`, { method: "DELETE", headers: auth(key) });
		expect(await deleted.json()).toEqual({ id: store.id, object: "vector_store.deleted", deleted: true });
		expect((await call(`/v1/vector_stores/${store.id}`, { headers: auth(key) })).status).toBe(404);
		const left = await env.DB.prepare("SELECT count(*) AS n FROM chunks WHERE vector_store_id = ?1").bind(store.id).first<{ n: number }>();
		expect(left?.n).toBe(0);
	});
});

describe("hybrid search when the keywords tell nothing apart", () => {
	it("finds a misspelt name by its vector: keyword hits on words every file has do not push it down", async () => {
		const key = await keyOfNewUser();
		const names = ["Tamrinsal", "Dospelvor", "Quinbrehol", "Ferlixgu", "Zannodmar", "Kelvortam"];
		const ids: string[] = [];
		// Uploaded in this order, the name asked about last: BM25 ties every file on "pallets" and lists it last.
		for (const name of names) ids.push(await upload(key, `${name}.md`, `The ${name} warehouse stores pallets of ladders.`));
		const { id } = await (await call("/v1/vector_stores", json(key, { file_ids: ids }))).json<Store>();
		await settled(key, id);
		const page = await (await call(`/v1/vector_stores/${id}/search`, json(key, { query: "pallets at the Kelvortan depot" }))).json<SearchPage>();
		expect(page.data[0]?.filename).toBe("Kelvortam.md");
		// Spelt right, the keywords find it too.
		const exact = await (await call(`/v1/vector_stores/${id}/search`, json(key, { query: "pallets at the Kelvortam depot" }))).json<SearchPage>();
		expect(exact.data[0]?.filename).toBe("Kelvortam.md");
	});
});

describe("PDF and Word files (read by the parser Worker, bound as PARSER)", () => {
	let key: string;
	let store: Store;
	let files: { pdf: string; docx: string; broken: string };

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		key = await keyOfNewUser();
		files = {
			pdf: await upload(key, "quotas.pdf", tinyPdf([["Quotas cap what a key may spend in total."], ["Second page: resets monthly."]])),
			docx: await upload(key, "sessions.docx", tinyDocx([{ text: "Sessions", heading: 1 }, { text: "A dashboard session lasts twelve hours." }])),
			broken: await upload(key, "broken.pdf", tinyPdf([["x"]]).slice(0, 40)),
		};
		const res = await call("/v1/vector_stores", json(key, { name: "binary", file_ids: Object.values(files) }));
		store = await settled(key, (await res.json<Store>()).id);
	});

	const storeFile = async (fileId: string) => (await call(`/v1/vector_stores/${store.id}/files/${fileId}`, { headers: auth(key) })).json<StoreFile>();
	const content = async (fileId: string) =>
		(await (await call(`/v1/vector_stores/${store.id}/files/${fileId}/content`, { headers: auth(key) })).json<{ data: { text: string }[] }>()).data
			.map((d) => d.text)
			.join(" ");

	it("ingests them to completed with their text, and finds them by it", async () => {
		expect(await storeFile(files.pdf)).toMatchObject({ status: "completed", last_error: null });
		expect(await storeFile(files.docx)).toMatchObject({ status: "completed", last_error: null });
		expect(await content(files.pdf)).toContain("Quotas cap what a key may spend in total.");
		expect(await content(files.docx)).toContain("A dashboard session lasts twelve hours.");
		const page = await (await call(`/v1/vector_stores/${store.id}/search`, json(key, { query: "how long does a dashboard session last" }))).json<SearchPage>();
		expect(page.data[0]?.file_id).toBe(files.docx);
	});

	it("fails a broken PDF with the parser's reason", async () => {
		const failed = await storeFile(files.broken);
		expect(failed.status).toBe("failed");
		expect(failed.last_error).toEqual({ code: "invalid_file", message: expect.stringMatching(/^The PDF could not be read/) });
	});

	it("without the PARSER binding, fails such a file at once and says why", async () => {
		// The same file's ingestion delivered again, to a gateway deployed without the parser Worker.
		const row = await env.DB.prepare("UPDATE vector_store_files SET status = 'in_progress' WHERE vector_store_id = ?1 AND file_id = ?2 RETURNING updated_at")
			.bind(store.id, files.pdf)
			.first<{ updated_at: number }>();
		if (!row) throw new Error("no store file");
		const batch = createMessageBatch(INGEST_QUEUE, [
			{ id: "m1", timestamp: new Date(), attempts: 1, body: { vector_store_id: store.id, file_id: files.pdf, generation: row.updated_at } },
		]);
		const ctx = createExecutionContext();
		await consumeIngest(batch, { ...env, PARSER: undefined } as unknown as Env, ctx);
		await waitOnExecutionContext(ctx);
		const failed = await storeFile(files.pdf);
		expect(failed.status).toBe("failed");
		expect(failed.last_error).toEqual({
			code: "server_error",
			message: "This gateway cannot read PDF files: it has no PARSER binding to the parser Worker (edge-gateway-parser; see README, Deploy).",
		});
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m1"]);
	});
});
