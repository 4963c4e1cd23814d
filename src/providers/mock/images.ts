import { crc32 } from "../../lib/crc32";
import { toBase64 } from "../../lib/crypto";
import { png, type Rgb } from "./png";

/** The mock draws at most this many pixels a side: the size asked for, scaled down to fit, so answers stay small. */
export const MOCK_IMAGE_MAX_SIDE = 64;

const SIZE = /^(\d{1,5})x(\d{1,5})$/;

/** The pixels the mock draws for a requested size: `1024x1536` gives 43×64; `auto`, none or another word 64×64. */
export function mockImageSize(size: unknown): { width: number; height: number } {
	const m = typeof size === "string" ? SIZE.exec(size) : null;
	const w = Number(m?.[1] ?? 0);
	const h = Number(m?.[2] ?? 0);
	if (w <= 0 || h <= 0) return { width: MOCK_IMAGE_MAX_SIDE, height: MOCK_IMAGE_MAX_SIDE };
	const scale = Math.min(1, MOCK_IMAGE_MAX_SIDE / Math.max(w, h));
	return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** A checkerboard in two shades of one colour, the colour a hash of `seed`: the same seed, the same picture. */
export function mockPng(seed: string, size: unknown): Uint8Array {
	const h = crc32(new TextEncoder().encode(seed));
	const light: Rgb = [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
	const dark: Rgb = [light[0] >>> 1, light[1] >>> 1, light[2] >>> 1];
	const { width, height } = mockImageSize(size);
	return png(width, height, (x, y) => (((x >>> 3) ^ (y >>> 3)) & 1 ? dark : light));
}

function count(n: unknown): number {
	const v = Number(n ?? 1);
	return Number.isInteger(v) && v >= 1 ? Math.min(v, 10) : 1;
}

/** The bytes of an edit's input images, in the seed: another picture edited with the same prompt comes out another colour. */
function imageBytes(image: unknown): number {
	const images = Array.isArray(image) ? image : [image];
	return images.reduce<number>((n, i) => n + (i instanceof Blob ? i.size : 0), 0);
}

/**
 * OpenAI's ImagesResponse as dall-e answers it (base64 PNGs, no token usage), whatever `response_format` says: the
 * relay turns them into data URLs when the client asked for URLs. One image per `n`, deterministic from the prompt
 * (and, for an edit, the input images' size), at most 64 pixels a side.
 */
export function mockImages(body: Record<string, unknown>, edit: boolean): Response {
	const prompt = typeof body.prompt === "string" ? body.prompt : "";
	if (!prompt) return Response.json({ error: { message: "prompt is required", type: "invalid_request_error", param: "prompt" } }, { status: 400 });
	if (edit && imageBytes(body.image) === 0) {
		return Response.json({ error: { message: "image is required", type: "invalid_request_error", param: "image" } }, { status: 400 });
	}
	const seed = edit ? `${prompt}|edit|${imageBytes(body.image)}` : prompt;
	const data = Array.from({ length: count(body.n) }, (_, i) => ({ b64_json: toBase64(mockPng(`${seed}#${i}`, body.size)) }));
	return Response.json({ created: Math.floor(Date.now() / 1000), data });
}
