import { z } from "zod";

/** Usage as Anthropic's stream reports it: message_start has all of it, message_delta what changed since. */
const usage = z
	.object({
		input_tokens: z.number().optional(),
		output_tokens: z.number().optional(),
		cache_creation_input_tokens: z.number().nullish(),
		cache_read_input_tokens: z.number().nullish(),
	})
	.optional()
	.catch(undefined);

// Blocks and deltas of other kinds (a thinking block's start, citations…) carry nothing the gateway maps: such an event
// does not parse and is skipped, as it always was.
const contentBlock = z.discriminatedUnion("type", [
	z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string() }),
	z.object({ type: z.literal("text"), text: z.string() }),
]);

const blockDelta = z.discriminatedUnion("type", [
	z.object({ type: z.literal("text_delta"), text: z.string() }),
	z.object({ type: z.literal("input_json_delta"), partial_json: z.string() }),
	z.object({ type: z.literal("thinking_delta"), thinking: z.string() }),
	z.object({ type: z.literal("signature_delta"), signature: z.string() }),
]);

/** A stop reason this gateway does not know yet finishes nothing, as Anthropic clients would not know it either. */
const stopReason = z.enum(["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"]).nullish().catch(null);

/** The events of Anthropic's Messages stream (https://docs.anthropic.com/en/api/messages-streaming) that the gateway reads. */
export const anthropicEventSchema = z.discriminatedUnion("type", [
	z.object({ type: z.literal("message_start"), message: z.object({ id: z.string(), usage }) }),
	z.object({ type: z.literal("content_block_start"), index: z.number(), content_block: contentBlock }),
	z.object({ type: z.literal("content_block_delta"), index: z.number(), delta: blockDelta }),
	z.object({ type: z.literal("content_block_stop"), index: z.number() }),
	z.object({ type: z.literal("message_delta"), delta: z.object({ stop_reason: stopReason }), usage }),
	z.object({ type: z.literal("message_stop") }),
	z.object({ type: z.literal("ping") }),
	// An error is an error whatever its fields hold.
	z.object({
		type: z.literal("error"),
		error: z.object({ type: z.string().optional().catch(undefined), message: z.string().optional().catch(undefined) }).catch({}),
	}),
]);

export type AnthropicEvent = z.infer<typeof anthropicEventSchema>;
export type AnthropicStreamUsage = NonNullable<z.infer<typeof usage>>;

const USAGE_FIELDS = ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] as const;

/** message_start's usage updated by a message_delta's, which is cumulative: fields it leaves out keep their values. */
export function mergeUsage(into: AnthropicStreamUsage, from: AnthropicStreamUsage | undefined): void {
	for (const field of USAGE_FIELDS) {
		const value = from?.[field];
		if (typeof value === "number") into[field] = value;
	}
}
