import { z } from "zod";

const block = z.looseObject({ type: z.string() });

const message = z.looseObject({
	role: z.enum(["user", "assistant"]),
	content: z.union([z.string(), z.array(block)]),
});

/** The fields the gateway relies on; the rest passes to an Anthropic channel untouched. */
export const messagesRequest = z.looseObject({
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
	messages: z.array(message).min(1, "must contain at least one message"),
	max_tokens: z.number().int().positive(),
	system: z.union([z.string(), z.array(z.looseObject({ type: z.literal("text"), text: z.string() }))]).optional(),
	stream: z.boolean().optional(),
	stop_sequences: z.array(z.string()).optional(),
	temperature: z.number().min(0).max(1).optional(),
	top_p: z.number().min(0).max(1).optional(),
	top_k: z.number().int().nonnegative().optional(),
	tools: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
	tool_choice: z
		.union([
			z.looseObject({ type: z.enum(["auto", "any", "none"]), disable_parallel_tool_use: z.boolean().optional() }),
			z.looseObject({ type: z.literal("tool"), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
		])
		.optional(),
	thinking: z
		.union([z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024) }), z.looseObject({ type: z.literal("disabled") })])
		.optional(),
	metadata: z.looseObject({ user_id: z.string().optional() }).optional(),
});

export const countTokensRequest = messagesRequest.omit({ max_tokens: true });

export const anthropicMessage = z.looseObject({
	id: z.string(),
	type: z.literal("message"),
	role: z.literal("assistant"),
	model: z.string(),
	content: z.array(block),
	stop_reason: z.string().nullable(),
	usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
});

export const tokenCount = z.object({ input_tokens: z.number() });
