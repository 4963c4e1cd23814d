import { z } from "zod";
import { memoryFilter } from "../../memory/filters";
import { metadataFilter } from "../../memory/metadata-filter";

const entityId = z.string().min(1).max(256);
const entityIds = { user_id: entityId.optional(), agent_id: entityId.optional(), app_id: entityId.optional(), run_id: entityId.optional() };
const metadata = z.record(z.string(), z.unknown());

/** A message's content: text, or OpenAI-style parts of which the text ones are kept. */
const content = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))]);
export const message = z.object({ role: z.string().min(1).max(64), content: content.nullish() });

/** POST /v3/memories/add/. Unknown fields the client may send (version, output_format, async_mode …) are ignored. */
export const addBody = z.object({
	messages: z.union([z.string(), z.array(message).max(1000)]),
	...entityIds,
	metadata: metadata.nullish(),
	infer: z.boolean().default(true),
});

const page = z.coerce.number().int().min(1).max(100_000);
const pageSize = z.coerce.number().int().min(1).max(1000);

/** POST /v3/memories/: the list. `page` and `page_size` may also come in the query, as Mem0's v2 took them. */
export const listBody = z.object({ ...entityIds, filters: memoryFilter.optional(), page: page.optional(), page_size: pageSize.optional() });
export const listQuery = z.object({ page: page.optional(), page_size: pageSize.optional() });

export const searchBody = z.object({
	query: z.string().min(1).max(8192),
	...entityIds,
	filters: memoryFilter.optional(),
	// Mem0's v1 search took metadata at the top level, and the client still sends it there: a filter, ANDed.
	metadata: metadataFilter.optional(),
	top_k: z.number().int().min(1).max(100).default(10),
	threshold: z.number().min(0).max(1).default(0.1),
	// Re-scores the fused head (VECTOR_RERANK_MODEL, else the built-in lexical re-score); off unless asked, as in Mem0.
	rerank: z.boolean().optional(),
	// BM25 is part of the fusion unless this is false (then vector similarity alone, Mem0's search without it).
	keyword_search: z.boolean().optional(),
});

export const memoryParam = z.object({ memory_id: z.string().min(1).max(64) });
export const eventParam = z.object({ event_id: z.string().min(1).max(64) });

/** PUT /v1/memories/{id}/: the new text (`text`, as the client sends it, or `memory`) and/or metadata. */
export const updateBody = z
	.object({ text: z.string().min(1).max(65_536).optional(), memory: z.string().min(1).max(65_536).optional(), metadata: metadata.optional() })
	.refine((b) => b.text !== undefined || b.memory !== undefined || b.metadata !== undefined, { message: "Send 'text' or 'metadata'" });

/** DELETE /v1/memories/?user_id=…: every memory of the entities named. */
export const deleteAllQuery = z.object(entityIds);

export const entityParam = z.object({ entity_type: z.enum(["user", "agent", "app", "run"]), entity_id: entityId });

/** PUT /v1/batch/: new texts for up to 1,000 memories. */
export const batchUpdateBody = z.object({
	memories: z
		.array(z.object({ memory_id: z.string().min(1).max(64), text: z.string().min(1).max(65_536) }))
		.min(1)
		.max(1000),
});

/** DELETE /v1/batch/: up to 1,000 memories. */
export const batchDeleteBody = z.object({
	memories: z
		.array(z.object({ memory_id: z.string().min(1).max(64) }))
		.min(1)
		.max(1000),
});

/** POST /v1/feedback/: the caller's verdict on one of their memories; a null `feedback` removes it (Mem0's rule). */
export const feedbackBody = z.object({
	memory_id: z.string().min(1).max(64),
	feedback: z.enum(["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"]).nullish(),
	feedback_reason: z.string().max(4096).nullish(),
});
