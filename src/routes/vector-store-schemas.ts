import { z } from "zod";
import { resolveChunkingStrategy, chunkingStrategyParam as strategyParam } from "../knowledge/documents/chunking-strategy";
import { attributeFilter, attributes } from "../knowledge/filters";
import { listQuery } from "../knowledge/pages";

/** OpenAI's `metadata`: up to 16 string pairs, keys ≤ 64 and values ≤ 512 characters. */
const metadata = z
	.record(z.string().min(1).max(64), z.string().max(512))
	.refine((m) => Object.keys(m).length <= 16, "at most 16 metadata pairs")
	.nullable();

/** `chunking_strategy` as sent, stored resolved (`auto` as its static figures), as OpenAI reports it. */
const chunkingStrategyParam = strategyParam.transform(resolveChunkingStrategy);

const expiresAfter = z.object({ anchor: z.literal("last_active_at"), days: z.number().int().min(1).max(365) }).nullable();
const fileId = z.string().min(1).max(100);
const FILE_IDS_MAX = 500;

export const storeCreate = z.object({
	name: z.string().max(256).optional(),
	description: z.string().max(512).optional(),
	metadata: metadata.optional(),
	expires_after: expiresAfter.optional(),
	file_ids: z.array(fileId).max(FILE_IDS_MAX).optional(),
	chunking_strategy: chunkingStrategyParam.optional(),
	/** Gateway extension: the embedding model of the store's chunks; VECTOR_EMBEDDING_MODEL when absent. */
	embedding_model: z.string().min(1).max(200).optional(),
});

export const storeUpdate = z.object({
	name: z.string().max(256).nullable().optional(),
	metadata: metadata.optional(),
	expires_after: expiresAfter.optional(),
});

export const storeList = z.object(listQuery);
export const storeParam = z.object({ vector_store_id: z.string().min(1).max(100) });
export const storeFileParam = storeParam.extend({ file_id: fileId });
export const batchParam = storeParam.extend({ batch_id: z.string().min(1).max(100) });

export const storeFileCreate = z.object({
	file_id: fileId,
	attributes: attributes.nullable().optional(),
	chunking_strategy: chunkingStrategyParam.optional(),
});

export const storeFileUpdate = z.object({ attributes: attributes.nullable() });

const fileFilter = z.enum(["in_progress", "completed", "failed", "cancelled"]);
export const storeFileList = z.object({ ...listQuery, filter: fileFilter.optional() });

export const batchCreate = z
	.object({
		file_ids: z.array(fileId).min(1).max(FILE_IDS_MAX).optional(),
		files: z
			.array(z.object({ file_id: fileId, attributes: attributes.nullable().optional(), chunking_strategy: chunkingStrategyParam.optional() }))
			.min(1)
			.max(FILE_IDS_MAX)
			.optional(),
		attributes: attributes.nullable().optional(),
		chunking_strategy: chunkingStrategyParam.optional(),
	})
	.refine((b) => (b.file_ids === undefined) !== (b.files === undefined), { message: "Give either 'file_ids' or 'files', not both", path: ["file_ids"] });

/** OpenAI's weights of the two rankings a hybrid search fuses; at least one must count. */
export const hybridSearch = z
	.object({ embedding_weight: z.number().min(0).max(100), text_weight: z.number().min(0).max(100) })
	.refine((w) => w.embedding_weight + w.text_weight > 0, "embedding_weight and text_weight cannot both be 0")
	.transform((w) => ({ embedding: w.embedding_weight, text: w.text_weight }));

/** OpenAI's rerankers; "none" keeps the fused ranking (see knowledge/rescore.ts for what the others do here). */
export const ranker = z.enum(["none", "auto", "default-2024-11-15"]);

export const storeSearch = z.object({
	query: z.union([z.string().min(1).max(4096), z.array(z.string().min(1).max(4096)).min(1).max(10)]),
	max_num_results: z.number().int().min(1).max(50).default(10),
	filters: attributeFilter.optional(),
	ranking_options: z
		.object({
			ranker: ranker.optional(),
			score_threshold: z.number().min(0).max(1).optional(),
			hybrid_search: hybridSearch.optional(),
		})
		.optional(),
	rewrite_query: z.boolean().optional(),
});
