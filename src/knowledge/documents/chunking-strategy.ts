import { z } from "zod";

/**
 * OpenAI's file chunking strategies, as the vector store and file routes accept them and as files report them:
 * `auto` is `static` with 800 tokens a chunk and 400 of overlap.
 */

const MIN_CHUNK_TOKENS = 100;
const MAX_CHUNK_TOKENS = 4096;

export const staticChunking = z
	.strictObject({
		max_chunk_size_tokens: z.number().int().min(MIN_CHUNK_TOKENS).max(MAX_CHUNK_TOKENS),
		chunk_overlap_tokens: z.number().int().min(0),
	})
	.refine((s) => s.chunk_overlap_tokens <= s.max_chunk_size_tokens / 2, {
		message: "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens",
		path: ["chunk_overlap_tokens"],
	});

/** The `chunking_strategy` a client may send. */
export const chunkingStrategyParam = z.discriminatedUnion("type", [
	z.strictObject({ type: z.literal("auto") }),
	z.strictObject({ type: z.literal("static"), static: staticChunking }),
]);

export type ChunkingStrategyParam = z.infer<typeof chunkingStrategyParam>;
export type StaticChunking = z.infer<typeof staticChunking>;

/** What a file reports it was chunked with: always the static figures, `auto` resolved. */
export interface ResolvedChunkingStrategy {
	type: "static";
	static: StaticChunking;
}

const AUTO_CHUNKING: StaticChunking = { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 };

export function resolveChunkingStrategy(param: ChunkingStrategyParam | undefined): ResolvedChunkingStrategy {
	return { type: "static", static: param?.type === "static" ? param.static : AUTO_CHUNKING };
}
