import { z } from "zod";
import { type ResponsesRequest, responsesRequest } from "../protocols/responses/request-schema";
import { memoryField } from "./shared/chat-memory";

/** /v1/responses takes the gateway's `memory` extension besides OpenAI's fields. */
export const responsesCreate = responsesRequest.extend({ memory: memoryField.optional() });

export const responseObject = z.looseObject({
	id: z.string(),
	object: z.literal("response"),
	created_at: z.number(),
	status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
	model: z.string(),
	output: z.array(z.looseObject({ type: z.string(), id: z.string() })),
	output_text: z.string(),
	error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
	incomplete_details: z.looseObject({ reason: z.string() }).nullable(),
	usage: z
		.looseObject({
			input_tokens: z.number(),
			input_tokens_details: z.looseObject({ cached_tokens: z.number() }),
			output_tokens: z.number(),
			output_tokens_details: z.looseObject({ reasoning_tokens: z.number() }),
			total_tokens: z.number(),
		})
		.optional(),
});

/** A create request less the gateway's `memory`, which the route takes off first. */
export type ResponsesCreate = ResponsesRequest;

export const responseIdParam = z.object({ response_id: z.string().min(1).max(200) });

export const deletedResponse = z.object({ id: z.string(), object: z.literal("response"), deleted: z.literal(true) });

// `include` is accepted as OpenAI names it; input items are kept whole, so there is nothing more to add.
export const inputItemList = z.object({
	after: z.string().min(1).max(200).optional(),
	limit: z.coerce.number().int().min(1).max(100).default(20),
	order: z.enum(["asc", "desc"]).default("desc"),
	include: z.union([z.string(), z.array(z.string())]).optional(),
});

export const inputItemPage = z.object({
	object: z.literal("list"),
	data: z.array(z.looseObject({ id: z.string(), type: z.string() })),
	first_id: z.string().nullable(),
	last_id: z.string().nullable(),
	has_more: z.boolean(),
});
