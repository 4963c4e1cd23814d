import { z } from "zod";

const model = z.string().min(1, "is required").max(200, "must be at most 200 characters");

/** What OpenAI's image endpoints take besides the images themselves; the parameters the gateway does not read pass through to the channel. */
const imageOptions = {
	prompt: z.string().min(1, "is required").max(32_000, "must be at most 32,000 characters"),
	// OpenAI's own default when a client names none.
	model: model.default("dall-e-2"),
	n: z.number().int().min(1, "must be at least 1").max(10, "must be at most 10").nullish(),
	size: z.string().max(20).nullish(),
	quality: z.string().max(20).nullish(),
	response_format: z.enum(["url", "b64_json"]).nullish(),
	background: z.enum(["transparent", "opaque", "auto"]).nullish(),
	output_format: z.enum(["png", "jpeg", "webp"]).nullish(),
	user: z.string().optional(),
	// Streamed partial images are not relayed: refused with a 400 that says so, rather than answered as one image.
	stream: z.literal(false, { message: "streaming image generation is not supported by the gateway; leave 'stream' unset" }).nullish(),
};

export const imageGenerateRequest = z.looseObject({ ...imageOptions, style: z.enum(["vivid", "natural"]).nullish() });

/**
 * The text fields of an edit's multipart form (the files, `image` or `image[]` and `mask`, are read apart): numbers
 * arrive as text.
 */
export const imageEditFields = z.looseObject({
	...imageOptions,
	n: z.coerce.number().int().min(1, "must be at least 1").max(10, "must be at most 10").optional(),
	stream: z.literal("false", { message: "streaming image edits are not supported by the gateway; leave 'stream' unset" }).optional(),
});

/** OpenAI's ImagesResponse. */
export const imagesResponse = z.looseObject({
	created: z.number(),
	data: z.array(z.looseObject({ b64_json: z.string().optional(), url: z.string().optional(), revised_prompt: z.string().optional() })),
	background: z.string().optional(),
	output_format: z.string().optional(),
	quality: z.string().optional(),
	size: z.string().optional(),
	usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }).optional(),
});
