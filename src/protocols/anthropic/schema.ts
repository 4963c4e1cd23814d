import { z } from "zod";
import { otherThan, typesOf } from "../../lib/open-union";

/**
 * What the gateway reads of Anthropic's Messages API, as zod schemas: client requests and upstream answers are
 * parsed by these. Block types the gateway does not model (documents, server tools …) pass as they are.
 */

const knownSource = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
	z.looseObject({ type: z.literal("url"), url: z.string() }),
]);

type KnownSource = z.infer<typeof knownSource>;

const SOURCE_TYPES = typesOf(knownSource);

// A Files API reference and sources to come: an Anthropic channel reads them; a translation leaves them out.
const imageSource = z.union([knownSource, otherThan(SOURCE_TYPES)]);

export function isKnownSource(source: z.infer<typeof imageSource>): source is KnownSource {
	return SOURCE_TYPES.includes(source.type);
}

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const imageBlock = z.looseObject({ type: z.literal("image"), source: imageSource });

const resultBlock = z.union([z.discriminatedUnion("type", [textBlock, imageBlock]), otherThan(["text", "image"])]);

const knownBlock = z.discriminatedUnion("type", [
	textBlock,
	imageBlock,
	z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() }),
	z.looseObject({
		type: z.literal("tool_result"),
		tool_use_id: z.string(),
		content: z.union([z.string(), z.array(resultBlock)], { error: "must be a string or an array of content blocks" }).optional(),
		is_error: z.boolean().optional(),
	}),
	z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() }),
	z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() }),
]);

export type KnownBlock = z.infer<typeof knownBlock>;

const KNOWN_TYPES = typesOf(knownBlock);

export const contentBlock = z.union([knownBlock, otherThan(KNOWN_TYPES)]);

export type Block = z.infer<typeof contentBlock>;

/** Narrows a block the schema let through: a known type has been checked against that type's shape. */
export function isKnown(block: Block): block is KnownBlock {
	return KNOWN_TYPES.includes(block.type);
}

const message = z.looseObject({
	role: z.enum(["user", "assistant"]),
	content: z.union([z.string(), z.array(contentBlock)]),
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
	tools: z
		.array(
			z.looseObject({
				name: z.string().min(1),
				type: z.string().optional(),
				description: z.string().optional(),
				input_schema: z.record(z.string(), z.unknown()).optional(),
			}),
		)
		.optional(),
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

export type MessagesInput = z.infer<typeof messagesRequest>;

export const usage = z.looseObject({
	input_tokens: z.number().optional(),
	output_tokens: z.number().optional(),
	cache_creation_input_tokens: z.number().nullish(),
	cache_read_input_tokens: z.number().nullish(),
});

/** A Messages answer, as an Anthropic channel sends it when not streaming. */
export const messageAnswer = z.looseObject({
	id: z.string(),
	type: z.literal("message"),
	content: z.array(contentBlock),
	stop_reason: z.string().nullish(),
	usage: usage.optional(),
});

export type MessageAnswer = z.infer<typeof messageAnswer>;

/** Just the usage of an answer, for metering a body passed through. */
export const answerUsage = z.object({ usage: usage });
