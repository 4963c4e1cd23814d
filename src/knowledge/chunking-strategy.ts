import { z } from "zod";

/** OpenAI's chunking strategy as stored and returned: `auto` is static with 800-token chunks overlapping by 400. */
export interface StaticStrategy {
	type: "static";
	static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number };
}

export const AUTO: StaticStrategy = { type: "static", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } };

/** `chunking_strategy` as clients send it, with OpenAI's bounds (chunks of 100–4096 tokens, overlap at most half). */
export const chunkingStrategyParam = z
	.union([
		z.object({ type: z.literal("auto") }),
		z.object({
			type: z.literal("static"),
			static: z
				.object({ max_chunk_size_tokens: z.number().int().min(100).max(4096), chunk_overlap_tokens: z.number().int().min(0) })
				.refine((s) => s.chunk_overlap_tokens <= s.max_chunk_size_tokens / 2, {
					message: "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens",
					path: ["chunk_overlap_tokens"],
				}),
		}),
	])
	.transform((s): StaticStrategy => (s.type === "auto" ? AUTO : s));
