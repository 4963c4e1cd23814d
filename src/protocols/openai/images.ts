import { z } from "zod";
import { tokenCount, type Usage } from "../usage";

/** OpenAI's ImagesResponse as far as the gateway reads it; the rest of an answer is passed on as it came. */
const imagesAnswer = z.looseObject({
	created: z.number(),
	data: z.array(z.looseObject({ b64_json: z.string().optional(), url: z.string().optional() })),
	size: z.string().optional(),
	quality: z.string().optional(),
	output_format: z.string().optional(),
	// gpt-image models report tokens; dall-e and most others do not.
	usage: z.looseObject({ input_tokens: z.unknown(), output_tokens: z.unknown() }).optional().catch(undefined),
});

export type ImagesAnswer = z.infer<typeof imagesAnswer>;

/** An images answer, or undefined when the JSON is not one. */
export function readImagesAnswer(json: unknown): ImagesAnswer | undefined {
	const parsed = imagesAnswer.safeParse(json);
	return parsed.success ? parsed.data : undefined;
}

/** The tokens an images answer reports, as the gateway counts them; undefined when it reports none. */
export function imagesTokens(answer: ImagesAnswer): Pick<Usage, "promptTokens" | "completionTokens" | "cachedTokens"> | undefined {
	if (!answer.usage) return undefined;
	return { promptTokens: tokenCount(answer.usage.input_tokens), completionTokens: tokenCount(answer.usage.output_tokens), cachedTokens: 0 };
}

const MIME: Readonly<Record<string, string>> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };

/**
 * The answer with each image as a URL, for a client that asked for `response_format: "url"` from a channel that
 * answered base64 only (gpt-image models, Imagen, Workers AI and the mock always do): a `data:` URL holding the
 * image itself, as the gateway keeps no images to link to. Images that came with a URL keep it.
 */
export function withDataUrls(answer: ImagesAnswer): ImagesAnswer {
	const mime = MIME[answer.output_format ?? "png"] ?? "image/png";
	const data = answer.data.map((image) => {
		if (image.url !== undefined || image.b64_json === undefined) return image;
		const { b64_json, ...rest } = image;
		return { ...rest, url: `data:${mime};base64,${b64_json}` };
	});
	return { ...answer, data };
}
