import { z } from "zod";

/** The aspect ratios Imagen makes, and their width over height. */
const RATIOS = [
	["1:1", 1],
	["3:4", 3 / 4],
	["4:3", 4 / 3],
	["9:16", 9 / 16],
	["16:9", 16 / 9],
] as const;

/** OpenAI's `WxH` size as the nearest of Imagen's aspect ratios; none for `auto` or no size (Imagen's default, 1:1). */
export function aspectRatioOf(size: unknown): string | undefined {
	const m = typeof size === "string" ? /^(\d+)x(\d+)$/.exec(size) : null;
	if (!m) return undefined;
	const ratio = Number(m[1]) / Number(m[2]);
	if (!Number.isFinite(ratio) || ratio <= 0) return undefined;
	const distance = (r: number) => Math.abs(Math.log(r / ratio));
	return RATIOS.reduce((best, r) => (distance(r[1]) < distance(best[1]) ? r : best))[0];
}

/** An OpenAI images body as Imagen's `:predict` request: the prompt, `n` as `sampleCount`, the size as an aspect ratio. */
export function imagenRequest(body: Record<string, unknown>) {
	const aspectRatio = aspectRatioOf(body.size);
	const sampleCount = typeof body.n === "number" ? body.n : 1;
	return { instances: [{ prompt: String(body.prompt ?? "") }], parameters: { sampleCount, ...(aspectRatio ? { aspectRatio } : {}) } };
}

// Imagen leaves out an image its safety filter removed (with `raiFilteredReason` in its place when asked for reasons).
const imagenAnswer = z.looseObject({
	predictions: z.array(z.looseObject({ bytesBase64Encoded: z.string().optional(), mimeType: z.string().optional() })).default([]),
});

const FORMATS: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp" };

/** Imagen's answer as OpenAI's ImagesResponse; throws on anything else. */
export function imagesFromImagen(json: unknown) {
	const images = imagenAnswer.parse(json).predictions.filter((p) => p.bytesBase64Encoded !== undefined);
	const format = FORMATS[images[0]?.mimeType ?? "image/png"] ?? "png";
	return { created: Math.floor(Date.now() / 1000), data: images.map((p) => ({ b64_json: p.bytesBase64Encoded ?? "" })), output_format: format };
}
