// A user with one of every kind of data a purge removes and an export lists, made through the API where a client would
// make it and written directly where the API needs an upstream (embeddings, extraction).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { vectorIndex } from "../../src/knowledge/vector-index";
import { memoryNamespace } from "../../src/memory/vectors";
import { appWithKey } from "./apps";
import { admin, call, createKey, uid } from "./gateway";
import { deliver, usageRecord } from "./usage-records";

export const DIMENSIONS = 3;
export const PASSWORD = "correct horse";

export interface SeededUser {
	id: number;
	email: string;
	key: string;
	keyId: number;
	appKey: string;
	fileId: string;
	r2Key: string;
	storeId: string;
	chunkId: string;
	memoryId: string;
	conversationId: string;
	requestId: string;
}

const json = (key: string, body: unknown) => ({
	method: "POST",
	headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
	body: JSON.stringify(body),
});

export async function seededUser(): Promise<SeededUser> {
	const email = `data-${uid()}@example.com`;
	const made = await admin("POST", "/api/users", { name: `data-${uid()}`, email, password: PASSWORD });
	expect(made.status).toBe(201);
	const { id } = await made.json<{ id: number }>();
	const { id: keyId, key } = await createKey({ user_id: id });

	const form = new FormData();
	form.set("purpose", "assistants");
	form.set("file", new File([`notes of user ${id}`], "notes.txt"));
	const uploaded = await call("/v1/files", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
	expect(uploaded.status).toBe(200);
	const fileId = (await uploaded.json<{ id: string }>()).id;
	const file = await env.DB.prepare("SELECT r2_key FROM files WHERE id = ?1").bind(fileId).first<{ r2_key: string }>();
	if (!file) throw new Error("no file row");

	// A store with one ingested chunk and its vector, as the ingestion leaves them.
	const storeId = `vs_${uid()}${uid()}`;
	await env.DB.batch([
		env.DB.prepare("INSERT INTO vector_stores (id, user_id, name, embedding_model, dimensions) VALUES (?1, ?2, 'docs', 'mock-embedding', ?3)").bind(
			storeId,
			id,
			DIMENSIONS,
		),
		env.DB.prepare(
			`INSERT INTO vector_store_files (vector_store_id, file_id, user_id, status, stage, progress, chunking_strategy) VALUES (?1, ?2, ?3, 'completed', 'done', 1, '{}')`,
		).bind(storeId, fileId, id),
	]);
	const chunk = await env.DB.prepare(
		"INSERT INTO chunks (vector_store_id, file_id, user_id, position, text, tokens) VALUES (?1, ?2, ?3, 0, ?4, 4) RETURNING id",
	)
		.bind(storeId, fileId, id, `notes of user ${id}`)
		.first<{ id: number }>();
	if (!chunk) throw new Error("no chunk");
	const chunkId = String(chunk.id);
	await vectorIndex(env, DIMENSIONS).upsert([{ id: chunkId, values: [1, 0, 0], namespace: storeId }]);

	// A memory with its vector, its history and the event that added it.
	const memoryId = crypto.randomUUID();
	await env.DB.batch([
		env.DB.prepare("INSERT INTO memories (id, owner_id, user_id, memory, hash, dimensions) VALUES (?1, ?2, 'alice', ?3, 'h', ?4)").bind(
			memoryId,
			id,
			`user ${id} likes tea`,
			DIMENSIONS,
		),
		env.DB.prepare("INSERT INTO memory_history (memory_id, owner_id, event, new_memory) VALUES (?1, ?2, 'ADD', ?3)").bind(memoryId, id, `user ${id} likes tea`),
		env.DB.prepare("INSERT INTO memory_events (id, owner_id, status) VALUES (?1, ?2, 'SUCCEEDED')").bind(crypto.randomUUID(), id),
	]);
	await vectorIndex(env, DIMENSIONS).upsert([{ id: memoryId, values: [0, 1, 0], namespace: memoryNamespace(id) }]);

	const conversation = await call("/v1/conversations", json(key, { items: [{ type: "message", role: "user", content: `hello from ${id}` }] }));
	expect(conversation.status).toBe(200);
	const conversationId = (await conversation.json<{ id: string }>()).id;
	await env.DB.prepare("INSERT INTO responses (id, owner_id, input, response) VALUES (?1, ?2, '[]', '{}')").bind(`resp_${uid()}${uid()}`, id).run();

	// A batch with one line, as POST /v1/batches leaves them (over the file above, as its input).
	const batchId = `batch_${uid()}${uid()}`;
	await env.DB.batch([
		env.DB.prepare(
			"INSERT INTO batches (id, user_id, token_id, dialect, endpoint, input_file_id, completion_window, status, total, created_at, expires_at) VALUES (?1, ?2, ?3, 'openai', '/v1/chat/completions', ?4, '24h', 'completed', 1, 0, 0)",
		).bind(batchId, id, keyId, fileId),
		env.DB.prepare("INSERT INTO batch_lines (batch_id, line, token_id, custom_id, offset, length, status) VALUES (?1, 1, ?2, 'a', 0, 1, 'succeeded')").bind(
			batchId,
			keyId,
		),
	]);

	const { key: appKey } = await appWithKey(id, { model: "mock-chat" });

	expect((await admin("POST", "/api/billing/topup", { user_id: id, amount_usd: 5 })).status).toBe(201);
	const record = usageRecord({ user_id: id, token_id: keyId, cost_nusd: 4_000, price_id: 1 });
	await deliver("edge-gateway-usage", [{ id: `m-${uid()}`, body: { records: [record] } }]);

	return { id, email, key, keyId, appKey, fileId, r2Key: file.r2_key, storeId, chunkId, memoryId, conversationId, requestId: record.request_id };
}

/** The user's rows in every table a purge empties. */
export async function dataRows(userId: number): Promise<Record<string, number>> {
	const row = await env.DB.prepare(
		`SELECT (SELECT count(*) FROM files WHERE user_id = ?1) AS files, (SELECT count(*) FROM vector_stores WHERE user_id = ?1) AS vector_stores,
		(SELECT count(*) FROM vector_store_files WHERE user_id = ?1) AS vector_store_files, (SELECT count(*) FROM chunks WHERE user_id = ?1) AS chunks,
		(SELECT count(*) FROM memories WHERE owner_id = ?1) AS memories, (SELECT count(*) FROM memory_history WHERE owner_id = ?1) AS memory_history,
		(SELECT count(*) FROM memory_events WHERE owner_id = ?1) AS memory_events, (SELECT count(*) FROM conversations WHERE owner_id = ?1) AS conversations,
		(SELECT count(*) FROM conversation_items WHERE owner_id = ?1) AS conversation_items, (SELECT count(*) FROM responses WHERE owner_id = ?1) AS responses,
		(SELECT count(*) FROM apps WHERE owner_id = ?1) AS apps, (SELECT count(*) FROM batches WHERE user_id = ?1) AS batches,
		(SELECT count(*) FROM batch_lines WHERE batch_id IN (SELECT id FROM batches WHERE user_id = ?1)) AS batch_lines`,
	)
		.bind(userId)
		.first<Record<string, number>>();
	if (!row) throw new Error("no counts");
	return row;
}
