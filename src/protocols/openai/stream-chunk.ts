import { z } from "zod";
import { type ChatUsage, usageOf } from "../ir";
import { streamErrorSchema } from "../stream-json";

/**
 * Usage as a chunk reports it, made whole: a count left out is 0, a total is added where the upstream left it
 * out, details only where they count. Usage with neither count is none.
 */
export const chatUsageSchema = z
	.object({
		prompt_tokens: z.number().optional(),
		completion_tokens: z.number().optional(),
		total_tokens: z.number().optional(),
		prompt_tokens_details: z.object({ cached_tokens: z.number().nullish(), cache_creation_tokens: z.number().nullish() }).nullish(),
		completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
	})
	.transform((u): ChatUsage | undefined => {
		if (u.prompt_tokens === undefined && u.completion_tokens === undefined) return undefined;
		const prompt = u.prompt_tokens_details;
		const usage = usageOf(
			u.prompt_tokens ?? 0,
			u.completion_tokens ?? 0,
			prompt?.cached_tokens ?? 0,
			u.completion_tokens_details?.reasoning_tokens ?? 0,
			prompt?.cache_creation_tokens ?? 0,
		);
		return u.total_tokens === undefined ? usage : { ...usage, total_tokens: u.total_tokens };
	});

const toolCallDelta = z.object({
	index: z.number(),
	id: z.string().optional(),
	type: z.literal("function").optional(),
	function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).optional(),
});

const chatDelta = z.object({
	content: z.string().nullish(),
	reasoning_content: z.string().nullish(),
	reasoning_signature: z.string().nullish(),
	tool_calls: z.array(toolCallDelta).nullish(),
});

/** A finish reason outside the four (some compatible servers have their own) is an ordinary stop. */
const finishReason = z.enum(["stop", "length", "tool_calls", "content_filter"]).catch("stop").nullish();

/**
 * A Chat Completions stream chunk (or mid-stream error) as the gateway reads it. A usage or finish reason that
 * does not fit is dropped rather than costing the chunk its content.
 */
export const chatChunkSchema = z.object({
	id: z.string().optional(),
	choices: z.array(z.object({ index: z.number().optional(), delta: chatDelta.optional(), finish_reason: finishReason })).optional(),
	usage: chatUsageSchema.nullish().catch(undefined),
	error: streamErrorSchema.nullish(),
});

export type ChatChunkIn = z.infer<typeof chatChunkSchema>;
export type ChatDeltaIn = z.infer<typeof chatDelta>;
export type ToolCallDeltaIn = z.infer<typeof toolCallDelta>;
