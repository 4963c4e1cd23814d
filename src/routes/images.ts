import { type Context, Hono } from "hono";
import type { z } from "zod";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { type ImageCall, relayImages } from "../relay/images";
import { imageEditFields, imageGenerateRequest, imagesResponse } from "./images-schemas";
import { readBoundedForm } from "./shared/multipart-upload";
import { relayed } from "./shared/relayed";

type Options = z.output<typeof imageGenerateRequest> | z.output<typeof imageEditFields>;

/** The call from the validated parameters; `body` is what the channel gets (the files among it for an edit). */
function imageCall(op: ImageCall["op"], options: Options, body: Record<string, unknown>): ImageCall {
	return {
		op,
		model: options.model,
		prompt: options.prompt,
		body,
		count: options.n ?? 1,
		size: options.size ?? undefined,
		quality: options.quality ?? undefined,
		responseFormat: options.response_format ?? undefined,
		user: options.user,
	};
}

/** The images of an edit, all together: OpenAI takes up to 50 MB an image for gpt-image models (FILES_MAX_BYTES if lower). */
const EDIT_MAX_BYTES = 50 * 1024 * 1024;

/**
 * An edit's multipart form: the images under `image` (one) or `image[]` (several, as OpenAI's client sends a list),
 * an optional `mask`, and the text fields. Bounded by the size of its images, not the JSON body limit (MAX_BODY_BYTES).
 */
async function editForm(c: Context<AppEnv>): Promise<{ options: z.output<typeof imageEditFields>; body: Record<string, unknown> }> {
	const maxBytes = Math.min(EDIT_MAX_BYTES, config(c.env).filesMaxBytes);
	const form = await readBoundedForm(c, maxBytes, "'image' and 'prompt'", "image");
	const images = [...form.getAll("image"), ...form.getAll("image[]")].filter((v) => v instanceof File);
	if (images.length === 0)
		throw new GatewayError("invalid_request", "Missing the image: send it as the form field 'image' (several as 'image[]')", { param: "image" });
	const mask = form.get("mask");
	// The body's bound leaves room for the framing; the images and the mask themselves get none.
	if (images.reduce((n, f) => n + f.size, mask instanceof File ? mask.size : 0) > maxBytes) {
		throw new GatewayError("body_too_large", `The images exceed the limit of ${maxBytes} bytes`, { param: "image" });
	}
	const fields: Record<string, string> = {};
	for (const [name, value] of form) if (typeof value === "string" && !name.endsWith("[]")) fields[name] = value;
	const parsed = imageEditFields.safeParse(fields);
	if (!parsed.success) {
		const { message, param } = describeIssues(parsed.error.issues);
		throw new GatewayError("invalid_request", message, { param });
	}
	const { image: _image, mask: _mask, ...options } = parsed.data;
	const body = { ...options, image: images.length === 1 ? images[0] : images, ...(mask instanceof File ? { mask } : {}) };
	return { options: parsed.data, body };
}

/** OpenAI's image generation and edits, mounted at /v1. */
export const imageRoutes = new Hono<AppEnv>()
	.post("/images/generations", usageMeter(), callerAuth(), bodyLimit(), valid("json", imageGenerateRequest), (c) => {
		const body = c.req.valid("json");
		return relayed(c, (req) => relayImages(req, imageCall("images", body, body)));
	})
	.post("/images/edits", usageMeter(), callerAuth(), async (c) => {
		const { options, body } = await editForm(c);
		return relayed(c, (req) => relayImages(req, imageCall("image_edits", options, body)));
	});

export const imageDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/images/generations",
		summary: "Generate images (OpenAI's shape; `response_format: url` from a channel that answers base64 gives `data:` URLs; `stream` is not supported)",
		tag: "Relay",
		auth: "key",
		body: imageGenerateRequest,
		response: imagesResponse,
		errors: [403, 413, 429, 502, 503, 504],
	},
	{
		method: "post",
		path: "/v1/images/edits",
		summary: "Edit images (multipart/form-data: `image` or `image[]`, optional `mask`, `prompt`, `model`, `n`, `size`, `quality`, `response_format`…)",
		tag: "Relay",
		auth: "key",
		body: imageEditFields,
		bodyType: "multipart/form-data",
		response: imagesResponse,
		errors: [403, 413, 429, 502, 503, 504],
	},
];
