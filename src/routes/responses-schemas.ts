import { z } from "zod";
import { responsesRequest } from "../protocols/responses/request-schema";
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
