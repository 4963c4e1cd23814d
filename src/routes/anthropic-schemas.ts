import { z } from "zod";
import { contentBlock, messagesRequest } from "../protocols/anthropic/schema";
import { memoryField } from "./shared/chat-memory";
import { fileSearchOptions } from "./shared/file-search";

export { messagesRequest };

/** /v1/messages takes the gateway's `file_search` and `memory` extensions besides Anthropic's fields. */
export const messagesCreate = messagesRequest.extend({ file_search: fileSearchOptions.optional(), memory: memoryField.optional() });

export const countTokensRequest = messagesRequest.omit({ max_tokens: true });

export const anthropicMessage = z.looseObject({
	id: z.string(),
	type: z.literal("message"),
	role: z.literal("assistant"),
	model: z.string(),
	content: z.array(contentBlock),
	stop_reason: z.string().nullable(),
	usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
});

export const tokenCount = z.object({ input_tokens: z.number() });
