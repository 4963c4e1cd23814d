import { Hono } from "hono";
import { audit } from "../audit/record";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { batchView, cancelBatch, createBatch, findBatch } from "../knowledge/batches";
import { resolveChunkingStrategy } from "../knowledge/documents/chunking-strategy";
import { enqueueIngest } from "../knowledge/enqueue";
import { ownedFiles } from "../knowledge/owned-files";
import { listObject } from "../knowledge/pages";
import { removeStore, removeStoreFile } from "../knowledge/remove";
import { searchStores } from "../knowledge/search";
import { storeChunks } from "../knowledge/store-chunks";
import { addStoreFiles, findStoreFile, listStoreFiles, setAttributes, storeFileView } from "../knowledge/store-files";
import { createStore, fileCounts, findStore, listStores, noFiles, storeView, touchStore, updateStore } from "../knowledge/vector-stores";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import {
	batchCreate,
	batchParam,
	storeCreate,
	storeFileCreate,
	storeFileList,
	storeFileParam,
	storeFileUpdate,
	storeList,
	storeParam,
	storeSearch,
	storeUpdate,
} from "./vector-store-schemas";

/**
 * The openai SDK's polling helpers (createAndPoll, uploadAndPoll) wait this long between retrievals of something in
 * progress, instead of their default 5 s: a file here is usually ingested within a second or two.
 */
const POLL_AFTER = "openai-poll-after-ms";
/** OpenAI's `auto` strategy, resolved: what a file added without a strategy is chunked with. */
const AUTO = resolveChunkingStrategy(undefined);
const POLL_AFTER_MS = "500";

/**
 * OpenAI's Vector Stores API, served by the gateway itself (mounted at /v1/vector_stores). Every store belongs to
 * the user of the key that made it; another user's store or file is 404, as if it did not exist.
 */
export const vectorStoreRoutes = new Hono<AppEnv>()
	.use(callerAuth({ sessions: true }), bodyLimit())
	.post("/", valid("json", storeCreate), async (c) => {
		const body = c.req.valid("json");
		const caller = c.get("caller");
		const files = body.file_ids ? await ownedFiles(c.env.DB, body.file_ids, caller.userId) : new Map();
		const store = await createStore(c.env.DB, caller.userId, {
			name: body.name ?? "",
			metadata: body.metadata ?? null,
			embeddingModel: body.embedding_model ?? c.env.VECTOR_EMBEDDING_MODEL,
			expiresAfterDays: body.expires_after?.days ?? null,
		});
		const strategy = body.chunking_strategy ?? AUTO;
		const added = await addStoreFiles(
			c.env.DB,
			store,
			caller.keyId,
			null,
			[...files.keys()].map((fileId) => ({ fileId, attributes: null, chunkingStrategy: strategy })),
		);
		await enqueueIngest(c.env.INGEST_QUEUE, added, c.get("trace").traceparent);
		const counts = await fileCounts(c.env.DB, [store.id]);
		return c.json(storeView(store, counts.get(store.id) ?? noFiles()));
	})
	.get("/", valid("query", storeList), async (c) => {
		const page = await listStores(c.env.DB, c.get("caller").userId, c.req.valid("query"));
		const counts = await fileCounts(
			c.env.DB,
			page.rows.map((s) => s.id),
		);
		return c.json(
			listObject(
				page.rows.map((s) => storeView(s, counts.get(s.id) ?? noFiles())),
				page.hasMore,
			),
		);
	})
	.get("/:vector_store_id", valid("param", storeParam), async (c) => {
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, c.get("caller").userId);
		const counts = await fileCounts(c.env.DB, [store.id]);
		return c.json(storeView(store, counts.get(store.id) ?? noFiles()));
	})
	.post("/:vector_store_id", valid("param", storeParam), valid("json", storeUpdate), async (c) => {
		const body = c.req.valid("json");
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, c.get("caller").userId);
		const updated = await updateStore(c.env.DB, store, {
			name: body.name ?? undefined,
			metadata: body.metadata,
			expiresAfterDays: body.expires_after === undefined ? undefined : (body.expires_after?.days ?? null),
		});
		const counts = await fileCounts(c.env.DB, [store.id]);
		return c.json(storeView(updated, counts.get(store.id) ?? noFiles()));
	})
	.delete("/:vector_store_id", valid("param", storeParam), async (c) => {
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, c.get("caller").userId);
		await removeStore(c.env, store);
		audit(c, { action: "vector_store.delete", objectType: "vector_store", objectId: store.id, before: { name: store.name } });
		return c.json({ id: store.id, object: "vector_store.deleted" as const, deleted: true });
	})
	.post("/:vector_store_id/files", valid("param", storeParam), valid("json", storeFileCreate), async (c) => {
		const body = c.req.valid("json");
		const caller = c.get("caller");
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, caller.userId);
		await ownedFiles(c.env.DB, [body.file_id], caller.userId);
		const [added] = await addStoreFiles(c.env.DB, store, caller.keyId, null, [
			{ fileId: body.file_id, attributes: body.attributes ?? null, chunkingStrategy: body.chunking_strategy ?? AUTO },
		]);
		if (!added) throw new GatewayError("internal_error", "The file was not added");
		await enqueueIngest(c.env.INGEST_QUEUE, [added], c.get("trace").traceparent);
		await touchStore(c.env.DB, store);
		return c.json(storeFileView(added));
	})
	.get("/:vector_store_id/files", valid("param", storeParam), valid("query", storeFileList), async (c) => {
		const q = c.req.valid("query");
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, c.get("caller").userId);
		const page = await listStoreFiles(c.env.DB, { vectorStoreId: store.id, status: q.filter }, q);
		return c.json(listObject(page.rows.map(storeFileView), page.hasMore));
	})
	.get("/:vector_store_id/files/:file_id", valid("param", storeFileParam), async (c) => {
		const { vector_store_id, file_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		const file = await findStoreFile(c.env.DB, store.id, file_id);
		if (file.status === "in_progress") c.header(POLL_AFTER, POLL_AFTER_MS);
		return c.json(storeFileView(file));
	})
	.post("/:vector_store_id/files/:file_id", valid("param", storeFileParam), valid("json", storeFileUpdate), async (c) => {
		const { vector_store_id, file_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		const file = await findStoreFile(c.env.DB, store.id, file_id);
		return c.json(storeFileView(await setAttributes(c.env.DB, file, c.req.valid("json").attributes)));
	})
	.delete("/:vector_store_id/files/:file_id", valid("param", storeFileParam), async (c) => {
		const { vector_store_id, file_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		await removeStoreFile(c.env, store, await findStoreFile(c.env.DB, store.id, file_id));
		audit(c, { action: "vector_store.file_delete", objectType: "vector_store_file", objectId: file_id, detail: { vector_store_id: store.id } });
		return c.json({ id: file_id, object: "vector_store.file.deleted" as const, deleted: true });
	})
	.get("/:vector_store_id/files/:file_id/content", valid("param", storeFileParam), async (c) => {
		const { vector_store_id, file_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		const file = await findStoreFile(c.env.DB, store.id, file_id);
		const texts = await storeChunks(c.env.DB, store.id, file.fileId);
		return c.json({
			object: "vector_store.file_content.page" as const,
			data: texts.map((text) => ({ type: "text" as const, text })),
			has_more: false,
			next_page: null,
		});
	})
	.post("/:vector_store_id/file_batches", valid("param", storeParam), valid("json", batchCreate), async (c) => {
		const body = c.req.valid("json");
		const caller = c.get("caller");
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, caller.userId);
		const items =
			body.files?.map((f) => ({
				fileId: f.file_id,
				attributes: f.attributes ?? body.attributes ?? null,
				chunkingStrategy: f.chunking_strategy ?? body.chunking_strategy ?? AUTO,
			})) ?? (body.file_ids ?? []).map((fileId) => ({ fileId, attributes: body.attributes ?? null, chunkingStrategy: body.chunking_strategy ?? AUTO }));
		await ownedFiles(
			c.env.DB,
			items.map((i) => i.fileId),
			caller.userId,
		);
		const batch = await createBatch(c.env.DB, store);
		const added = await addStoreFiles(c.env.DB, store, caller.keyId, batch.id, items);
		await enqueueIngest(c.env.INGEST_QUEUE, added, c.get("trace").traceparent);
		await touchStore(c.env.DB, store);
		return c.json(await batchView(c.env.DB, batch));
	})
	.get("/:vector_store_id/file_batches/:batch_id", valid("param", batchParam), async (c) => {
		const { vector_store_id, batch_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		const view = await batchView(c.env.DB, await findBatch(c.env.DB, store.id, batch_id));
		if (view.status === "in_progress") c.header(POLL_AFTER, POLL_AFTER_MS);
		return c.json(view);
	})
	.post("/:vector_store_id/file_batches/:batch_id/cancel", valid("param", batchParam), async (c) => {
		const { vector_store_id, batch_id } = c.req.valid("param");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		return c.json(await batchView(c.env.DB, await cancelBatch(c.env.DB, await findBatch(c.env.DB, store.id, batch_id))));
	})
	.get("/:vector_store_id/file_batches/:batch_id/files", valid("param", batchParam), valid("query", storeFileList), async (c) => {
		const { vector_store_id, batch_id } = c.req.valid("param");
		const q = c.req.valid("query");
		const store = await findStore(c.env.DB, vector_store_id, c.get("caller").userId);
		const batch = await findBatch(c.env.DB, store.id, batch_id);
		const page = await listStoreFiles(c.env.DB, { vectorStoreId: store.id, batchId: batch.id, status: q.filter }, q);
		return c.json(listObject(page.rows.map(storeFileView), page.hasMore));
	})
	.post("/:vector_store_id/search", valid("param", storeParam), valid("json", storeSearch), async (c) => {
		const store = await findStore(c.env.DB, c.req.valid("param").vector_store_id, c.get("caller").userId);
		const body = c.req.valid("json");
		const queries = typeof body.query === "string" ? [body.query] : body.query;
		const context = {
			env: c.env,
			waitUntil: (w: Promise<unknown>) => c.executionCtx.waitUntil(w),
			caller: c.get("caller"),
			requestId: c.get("requestId"),
			trace: c.get("trace"),
		};
		const hits = await searchStores(context, [store], {
			query: queries.join("\n"),
			maxResults: body.max_num_results,
			filter: body.filters,
			scoreThreshold: body.ranking_options?.score_threshold ?? 0,
			weights: body.ranking_options?.hybrid_search,
			ranker: body.ranking_options?.ranker,
		});
		await touchStore(c.env.DB, store);
		return c.json({
			object: "vector_store.search_results.page" as const,
			search_query: queries,
			data: hits.map((h) => ({
				file_id: h.fileId,
				filename: h.filename,
				score: h.score,
				attributes: h.attributes,
				content: [{ type: "text" as const, text: h.text }],
			})),
			has_more: false,
			next_page: null,
		});
	});

const store = "/v1/vector_stores/{vector_store_id}";
const doc = (method: OperationDoc["method"], path: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path,
	summary,
	tag: "Vector stores",
	auth: "keyOrSession",
	errors: [404],
	...extra,
});

export const vectorStoreDocs: OperationDoc[] = [
	doc("post", "/v1/vector_stores", "Create a vector store (its files are ingested on a queue: parse, chunk, embed, index)", {
		body: storeCreate,
		errors: [400, 404],
	}),
	doc("get", "/v1/vector_stores", "List the calling key's user's vector stores", { query: storeList, errors: [] }),
	doc("get", store, "Retrieve a vector store, with its file counts"),
	doc("post", store, "Modify a vector store's name, metadata or expiry", { body: storeUpdate }),
	doc("delete", store, "Delete a vector store, its chunks and vectors (the uploaded files stay)"),
	doc("post", `${store}/files`, "Add an uploaded file to a vector store", { body: storeFileCreate }),
	doc("get", `${store}/files`, "List a vector store's files, with each one's ingestion stage and progress", { query: storeFileList }),
	doc("get", `${store}/files/{file_id}`, "Retrieve a vector store file"),
	doc("post", `${store}/files/{file_id}`, "Set a vector store file's attributes", { body: storeFileUpdate }),
	doc("delete", `${store}/files/{file_id}`, "Remove a file from a vector store"),
	doc("get", `${store}/files/{file_id}/content`, "The text of a vector store file's chunks"),
	doc("post", `${store}/file_batches`, "Add several uploaded files to a vector store at once", { body: batchCreate }),
	doc("get", `${store}/file_batches/{batch_id}`, "Retrieve a file batch, with its file counts"),
	doc("post", `${store}/file_batches/{batch_id}/cancel`, "Cancel what of a file batch has not finished"),
	doc("get", `${store}/file_batches/{batch_id}/files`, "List a file batch's files", { query: storeFileList }),
	doc("post", `${store}/search`, "Search a vector store: hybrid (vectors and BM25, fused by rank), filtered by attributes", { body: storeSearch }),
];
