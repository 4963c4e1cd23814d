/**
 * The Files and Vector Stores APIs (/v1/files, /v1/vector_stores), called with the dashboard's session as one of the
 * user's own keys, named by id in `x-gateway-key-id`: the gateway embeds (and bills) ingestion and search as that key.
 */

import { request } from "../../api";

export type Attributes = Record<string, string | number | boolean>;

export interface VectorStore {
	id: string;
	name: string;
	created_at: number;
	usage_bytes: number;
	status: "expired" | "in_progress" | "completed";
	file_counts: { in_progress: number; completed: number; failed: number; cancelled: number; total: number };
	embedding_model: string;
	dimensions: number | null;
}

export type Stage = "queued" | "parsing" | "chunking" | "embedding" | "indexing" | "done";

export interface StoreFile {
	id: string;
	created_at: number;
	status: "in_progress" | "completed" | "failed" | "cancelled";
	usage_bytes: number;
	last_error: { code: string; message: string } | null;
	attributes: Attributes | null;
	stage: Stage;
	progress: number;
	chunk_count: number;
}

export interface SearchHit {
	file_id: string;
	filename: string;
	score: number;
	attributes: Attributes | null;
	content: { type: "text"; text: string }[];
}

interface List<T> {
	data: T[];
	has_more: boolean;
}

/** OpenAI's largest page of vector stores and of a store's files. */
const PAGE = 100;

export function knowledgeApi(keyId: string) {
	const call = async <T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> => {
		const headers = new Headers(init.headers);
		headers.set("x-gateway-key-id", keyId);
		const res = await request(method, path, body, { ...init, headers });
		return (await res.json()) as T;
	};
	return {
		stores: () => call<List<VectorStore>>("GET", `/v1/vector_stores?limit=${PAGE}`).then((r) => r.data),
		createStore: (name: string) => call<VectorStore>("POST", "/v1/vector_stores", { name }),
		deleteStore: (id: string) => call<unknown>("DELETE", `/v1/vector_stores/${id}`),
		files: (storeId: string) => call<List<StoreFile>>("GET", `/v1/vector_stores/${storeId}/files?limit=${PAGE}`).then((r) => r.data),
		/** Each uploaded file's name by id: a store's files carry only their ids, as OpenAI's do. */
		fileNames: () =>
			call<List<{ id: string; filename: string }>>("GET", "/v1/files?purpose=assistants").then((r) => new Map(r.data.map((f) => [f.id, f.filename]))),
		/** Uploads the file, then adds it to the store, which starts its ingestion. */
		add: async (storeId: string, file: File) => {
			const form = new FormData();
			form.set("purpose", "assistants");
			form.set("file", file);
			const uploaded = await call<{ id: string }>("POST", "/v1/files", undefined, { body: form });
			return call<StoreFile>("POST", `/v1/vector_stores/${storeId}/files`, { file_id: uploaded.id });
		},
		setAttributes: (storeId: string, fileId: string, attributes: Attributes | null) =>
			call<StoreFile>("POST", `/v1/vector_stores/${storeId}/files/${fileId}`, { attributes }),
		/** Deletes the upload itself, which takes it out of every store that has it. */
		deleteFile: (fileId: string) => call<unknown>("DELETE", `/v1/files/${fileId}`),
		search: (storeId: string, query: string) =>
			call<List<SearchHit>>("POST", `/v1/vector_stores/${storeId}/search`, { query, max_num_results: 10 }).then((r) => r.data),
	};
}

export type KnowledgeApi = ReturnType<typeof knowledgeApi>;
