import type { OperationDoc } from "../../openapi/operation";
import { addBody, batchDeleteBody, batchUpdateBody, deleteAllQuery, feedbackBody, listBody, listQuery, searchBody, updateBody } from "./mem0-schemas";

const doc = (method: OperationDoc["method"], path: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path: `/mem0${path}`,
	summary,
	tag: "Memory",
	auth: "keyOrSession",
	...extra,
});

/** Mem0's platform API as the gateway serves it (the key also accepted as `Authorization: Token <key>`, or a session naming one). */
export const mem0Docs: OperationDoc[] = [
	doc("get", "/v1/ping/", "Mem0's ping: the mem0ai client checks its key with it"),
	doc("post", "/v3/memories/add/", "Add memories: with infer false each message is stored verbatim; else an extraction event, PENDING", {
		body: addBody,
		errors: [413, 429],
	}),
	doc("get", "/v1/event/{event_id}/", "An add event's status and results", { errors: [404] }),
	doc("post", "/v3/memories/", "List memories of the entities a filter names, paged", { body: listBody, query: listQuery }),
	doc("post", "/v3/memories/search/", "Search memories: vector similarity, BM25 and recency fused, scores in [0, 1]", { body: searchBody, errors: [429] }),
	doc("get", "/v1/memories/{memory_id}/", "One memory", { errors: [404] }),
	doc("put", "/v1/memories/{memory_id}/", "Change a memory's text or metadata (an UPDATE in its history)", { body: updateBody, errors: [404] }),
	doc("delete", "/v1/memories/{memory_id}/", "Delete a memory (a DELETE in its history)", { errors: [404] }),
	doc("delete", "/v1/memories/", "Delete every memory of the entities named in the query", { query: deleteAllQuery }),
	doc("get", "/v1/memories/{memory_id}/history/", "A memory's history: ADD, UPDATE and DELETE with old and new text", { errors: [404] }),
	doc("get", "/v1/entities/", "The entities (users, agents, apps, runs) the key's user has memories about"),
	doc("delete", "/v2/entities/{entity_type}/{entity_id}/", "Delete every memory of one entity"),
	doc("put", "/v1/batch/", "Change the text of up to 1,000 memories", { body: batchUpdateBody, errors: [404] }),
	doc("delete", "/v1/batch/", "Delete up to 1,000 memories", { body: batchDeleteBody, errors: [404] }),
	doc("post", "/v1/feedback/", "Feedback on a memory (POSITIVE, NEGATIVE, VERY_NEGATIVE; null removes it): the latest is kept", {
		body: feedbackBody,
		errors: [404],
	}),
];
