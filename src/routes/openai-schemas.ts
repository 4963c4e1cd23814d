import { z } from "zod";
import { chatCompletionRequest } from "../protocols/openai/request";
import { memoryField } from "./shared/chat-memory";
import { fileSearchOptions } from "./shared/file-search";

export { chatCompletionRequest };

/** /v1/chat/completions takes the gateway's `file_search` and `memory` extensions besides OpenAI's fields (the playground does not). */
export const chatCompletionCreate = chatCompletionRequest.extend({ file_search: fileSearchOptions.optional(), memory: memoryField.optional() });

export const embeddingsRequest = z.looseObject({
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
	input: z.union([
		z.string(),
		z.array(z.string()).min(1, "must not be empty"),
		z.array(z.number().int()).min(1, "must not be empty"),
		z.array(z.array(z.number().int())).min(1, "must not be empty"),
	]),
	encoding_format: z.enum(["float", "base64"]).optional(),
	dimensions: z.number().int().positive().optional(),
	user: z.string().optional(),
});

export const modelList = z.object({
	object: z.literal("list"),
	data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })),
});

export const chatCompletion = z.looseObject({
	id: z.string(),
	object: z.literal("chat.completion"),
	model: z.string(),
	choices: z.array(z.looseObject({ index: z.number(), message: z.looseObject({ role: z.string() }), finish_reason: z.string().nullable() })),
	usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).optional(),
});

export const embeddingList = z.looseObject({
	object: z.literal("list"),
	data: z.array(z.object({ object: z.literal("embedding"), index: z.number(), embedding: z.union([z.array(z.number()), z.string()]) })),
	model: z.string(),
	usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }),
});
