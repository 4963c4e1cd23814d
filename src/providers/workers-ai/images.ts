import { z } from "zod";
import { fromBase64, toBase64 } from "../../lib/crypto";

/** The AI binding's run, as images use it. */
export type RunModel = (model: string, inputs: Record<string, unknown>) => Promise<unknown>;

const SIZE = /^(\d{2,5})x(\d{2,5})$/;

/**
 * An OpenAI images body as Workers AI's image models take it: the prompt, the size as `width` and `height` (only
 * when one is named: FLUX.1 [schnell] takes neither), and for an edit (the img2img and inpainting models) the image
 * and mask as arrays of bytes.
 */
export async function imageInputs(body: Record<string, unknown>): Promise<Record<string, unknown>> {
	const inputs: Record<string, unknown> = { prompt: String(body.prompt ?? "") };
	const size = typeof body.size === "string" ? SIZE.exec(body.size) : null;
	if (size) Object.assign(inputs, { width: Number(size[1]), height: Number(size[2]) });
	// One image per call: the first of several.
	const image = Array.isArray(body.image) ? body.image[0] : body.image;
	if (image instanceof Blob) inputs.image = [...new Uint8Array(await image.arrayBuffer())];
	if (body.mask instanceof Blob) inputs.mask = [...new Uint8Array(await body.mask.arrayBuffer())];
	return inputs;
}

const base64Image = z.looseObject({ image: z.string().min(1) });

/** One image model's answer as base64: FLUX's `{image}` (base64), or Stable Diffusion's PNG bytes (a stream). */
export async function imageBase64(output: unknown): Promise<string> {
	if (output instanceof ReadableStream) return toBase64(new Uint8Array(await new Response(output).arrayBuffer()));
	if (output instanceof Uint8Array) return toBase64(output);
	if (output instanceof ArrayBuffer) return toBase64(new Uint8Array(output));
	return base64Image.parse(output).image;
}

/** The format of an image by its first bytes: FLUX answers JPEG, Stable Diffusion PNG. */
function formatOf(b64: string): "png" | "jpeg" {
	const head = fromBase64(b64.slice(0, 8));
	return head[0] === 0xff && head[1] === 0xd8 ? "jpeg" : "png";
}

/**
 * Workers AI image models in OpenAI's ImagesResponse: they make one image a call, so `n` images are `n` calls. A
 * throw here is the channel's failure (the model answered something else).
 */
export async function workersAiImages(run: RunModel, model: string, body: Record<string, unknown>) {
	const inputs = await imageInputs(body);
	const n = typeof body.n === "number" ? body.n : Number(body.n ?? 1) || 1;
	const images = await Promise.all(Array.from({ length: Math.min(Math.max(n, 1), 10) }, async () => imageBase64(await run(model, inputs))));
	return { created: Math.floor(Date.now() / 1000), data: images.map((b64_json) => ({ b64_json })), output_format: formatOf(images[0] ?? "") };
}
