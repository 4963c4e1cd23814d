import { z } from "zod";
import type { ChatUsage } from "../ir";

/** What the gateway reads of an OpenAI-compatible channel's answers, parsed by zod. */

const count = z.number().optional().catch(undefined);

const usage = z
	.looseObject({
		prompt_tokens: count,
		completion_tokens: count,
		total_tokens: count,
		prompt_tokens_details: z.looseObject({ cached_tokens: count, cache_creation_tokens: count }).nullish().catch(undefined),
		completion_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish().catch(undefined),
	})
	// No counts at all is no usage: the record is then estimated, as for an answer without usage.
	.transform((u): ChatUsage | undefined =>
		u.prompt_tokens === undefined && u.completion_tokens === undefined
			? undefined
			: {
					prompt_tokens: u.prompt_tokens ?? 0,
					completion_tokens: u.completion_tokens ?? 0,
					total_tokens: u.total_tokens ?? 0,
					...(u.prompt_tokens_details ? { prompt_tokens_details: u.prompt_tokens_details } : {}),
					...(u.completion_tokens_details ? { completion_tokens_details: u.completion_tokens_details } : {}),
				},
	);

/** Just the usage of an answer, for metering a body passed through. */
export const withUsage = z.looseObject({ usage: z.unknown() });

const toolCall = z.looseObject({
	id: z.string(),
	type: z.literal("function").catch("function"),
	function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/**
 * A chat completion as the other dialects read it. Compatible servers differ in small ways (an `object` or
 * `created` left out, usage without totals), so only what a translation reads is required.
 */
export const chatCompletionAnswer = z.looseObject({
	id: z.string().catch(""),
	object: z.literal("chat.completion").catch("chat.completion"),
	created: z.number().catch(0),
	model: z.string().catch(""),
	choices: z.array(
		z.looseObject({
			index: z.number().catch(0),
			message: z.looseObject({
				role: z.literal("assistant").catch("assistant"),
				content: z.string().nullable().catch(null),
				tool_calls: z.array(toolCall).optional(),
				reasoning_content: z.string().optional().catch(undefined),
				reasoning_signature: z.string().optional().catch(undefined),
			}),
			finish_reason: z.enum(["stop", "length", "tool_calls", "content_filter"]).nullable().catch(null),
		}),
	),
	usage: usage.optional().catch(undefined),
});
