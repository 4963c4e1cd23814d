import { z } from "zod";

export const textFormat = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text") }),
	z.looseObject({ type: z.literal("json_object") }),
	z.looseObject({
		type: z.literal("json_schema"),
		name: z.string().min(1),
		schema: z.record(z.string(), z.unknown()),
		strict: z.boolean().nullish(),
		description: z.string().optional(),
	}),
]);

const tool = z.looseObject({
	type: z.string(),
	name: z.string().optional(),
	description: z.string().nullish(),
	parameters: z.record(z.string(), z.unknown()).nullish(),
	strict: z.boolean().nullish(),
});

const toolChoice = z.union([
	z.enum(["auto", "none", "required"]),
	z.looseObject({
		type: z.string(),
		name: z.string().optional(),
		mode: z.enum(["auto", "required"]).optional(),
		tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).optional(),
	}),
]);

/**
 * The fields the gateway reads or refuses; anything else is accepted and has no effect. Input items are only
 * required to be objects here: the codec checks each against the shape of its type and refuses by name the
 * types it cannot serve.
 */
export const responsesRequest = z.looseObject({
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
	input: z.union([z.string(), z.array(z.looseObject({})).min(1, "must contain at least one item")]),
	instructions: z.string().nullish(),
	stream: z.boolean().nullish(),
	max_output_tokens: z.number().int().positive().nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	top_p: z.number().min(0).max(1).nullish(),
	parallel_tool_calls: z.boolean().nullish(),
	user: z.string().nullish(),
	tools: z.array(tool).nullish(),
	tool_choice: toolChoice.nullish(),
	text: z.looseObject({ format: textFormat.nullish(), verbosity: z.string().nullish() }).nullish(),
	reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
	metadata: z.record(z.string(), z.string()).nullish(),
	truncation: z.enum(["auto", "disabled"]).nullish(),
	previous_response_id: z.string().min(1).max(200).nullish(),
	conversation: z.union([z.string().min(1).max(200), z.looseObject({ id: z.string().min(1).max(200) })]).nullish(),
	background: z.boolean().nullish(),
	store: z.boolean().nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequest>;
export type TextFormat = z.infer<typeof textFormat>;
export type RequestTool = z.infer<typeof tool>;
export type RequestToolChoice = z.infer<typeof toolChoice>;
