import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { type ImageCall, relayImages } from "../relay/images";
import { imageEditFields, imageGenerateRequest, imagesResponse } from "./images-schemas";
import { relayed } from "./shared/relayed";

type Options = z.output<typeof imageGenerateRequest> | z.output<typeof imageEditFields>;

/** The call from the validated parameters; `body` is what the channel gets (the files among it for an edit). */
function imageCall(op: ImageCall["op"], options: Options, body: Record<string, unknown>): ImageCall {
	return {
		op,
		model: options.model,
		prompt: options.prompt,
		body,
		size: options.size ?? undefined,
		quality: options.quality ?? undefined,
		responseFormat: options.response_format ?? undefined,
		user: options.user,
	};
}

/**
 * An edit's multipart form: the images under `image` (one) or `image[]` (several, as OpenAI's client sends a list),
 * an optional `mask`, and the text fields. The body limit (MAX_BODY_BYTES) bounds it before it is read.
 */
async function editForm(c: Context<AppEnv>): Promise<{ options: z.output<typeof imageEditFields>; body: Record<string, unknown> }> {
	if (!/^multipart\/form-data\s*;/i.test(c.req.header("content-type") ?? "")) {
		throw new GatewayError("invalid_request", "Expected a multipart/form-data body with the fields 'image' and 'prompt'");
	}
	let form: FormData;
	try {
		form = await c.req.raw.formData();
	} catch {
		throw new GatewayError("invalid_request", "The multipart/form-data body could not be read");
	}
	const images = [...form.getAll("image"), ...form.getAll("image[]")].filter((v) => v instanceof File);
	if (images.length === 0)
		throw new GatewayError("invalid_request", "Missing the image: send it as the form field 'image' (several as 'image[]')", { param: "image" });
	const mask = form.get("mask");
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
	.post("/images/edits", usageMeter(), callerAuth(), bodyLimit(), async (c) => {
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
