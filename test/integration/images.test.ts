import { env } from "cloudflare:workers";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fromBase64 } from "../../src/lib/crypto";
import { aspectRatioOf, imagenRequest, imagesFromImagen } from "../../src/protocols/gemini/imagen";
import { imageBase64, imageInputs, workersAiImages } from "../../src/providers/workers-ai/images";
import { admin, call, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";
import { ONE_PIXEL_PNG } from "../support/mock-upstream-images";

interface ImagesResponse {
	created: number;
	data: { b64_json?: string; url?: string }[];
	size?: string;
	quality?: string;
	usage?: { input_tokens: number; output_tokens: number };
}

interface ErrorBody {
	error: { message: string; type: string; code: string; param: string | null };
}

const json = (key: string, path: string, body: unknown) =>
	call(path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

const form = (key: string, path: string, fields: Record<string, string | Blob | Blob[]>) => {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		if (Array.isArray(value)) for (const v of value) data.append(`${name}[]`, v, "in.png");
		else if (value instanceof Blob) data.append(name, value, `${name}.png`);
		else data.append(name, value);
	}
	return call(path, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: data });
};

const u32 = (b: Uint8Array, at: number) => ((b[at] ?? 0) * 2 ** 24 + ((b[at + 1] ?? 0) << 16) + ((b[at + 2] ?? 0) << 8) + (b[at + 3] ?? 0)) >>> 0;

/** Reads a PNG as a decoder would: the signature, each chunk's CRC, IHDR, and the pixels inflated from IDAT. */
async function decodePng(b64: string) {
	const bytes = fromBase64(b64);
	expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const chunks: { type: string; data: Uint8Array }[] = [];
	for (let at = 8; at < bytes.length; ) {
		const length = u32(bytes, at);
		const typed = bytes.subarray(at + 4, at + 8 + length);
		expect(crc32(typed), "chunk CRC").toBe(u32(bytes, at + 8 + length));
		chunks.push({ type: new TextDecoder().decode(typed.subarray(0, 4)), data: typed.subarray(4) });
		at += 12 + length;
	}
	expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
	const header = chunks[0]?.data ?? new Uint8Array();
	const width = u32(header, 0);
	const height = u32(header, 4);
	expect([...header.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
	const idat = chunks[1]?.data ?? new Uint8Array();
	const pixels = new Uint8Array(await new Response(new Blob([idat]).stream().pipeThrough(new DecompressionStream("deflate"))).arrayBuffer());
	expect(pixels.length).toBe(height * (1 + width * 3));
	return { width, height, pixels };
}

async function mockImageChannel(tag: string) {
	const model = `mock-image-${tag}`;
	await createChannel({ type: "mock", models: [model] });
	return model;
}

describe("POST /v1/images/generations", () => {
	it("answers decodable PNGs from the mock, one per n, deterministic, metered per image by size and priced by unit", async () => {
		const model = await mockImageChannel(uid());
		expect(
			(await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { image: 0.04, "image:1024x1536": 0.06 } }))
				.status,
		).toBe(200);
		const { key } = await createKey();

		const res = await json(key, "/v1/images/generations", { model, prompt: "a red fox", n: 2, size: "1024x1536" });
		expect(res.status).toBe(200);
		const body = await res.json<ImagesResponse>();
		expect(body.created).toBeGreaterThan(0);
		expect(body.data).toHaveLength(2);
		const [one, two] = await Promise.all(body.data.map((d) => decodePng(d.b64_json ?? "")));
		// 1024x1536 scaled to the mock's 64 pixels a side.
		expect(one).toMatchObject({ width: 43, height: 64 });
		expect(two).toMatchObject({ width: 43, height: 64 });
		expect(body.data[0]?.b64_json).not.toBe(body.data[1]?.b64_json);

		const again = await (await json(key, "/v1/images/generations", { model, prompt: "a red fox", size: "1024x1536" })).json<ImagesResponse>();
		expect(again.data.map((d) => d.b64_json)).toEqual([body.data[0]?.b64_json]);

		// Two images at $0.06 (their size's price), no tokens: nothing estimated.
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({
			endpoint: "/v1/images/generations",
			model,
			status: 200,
			unit: "image:1024x1536",
			units: 2,
			estimated: 0,
			cost_nusd: 120_000_000,
		});
	});

	it("answers data: URLs when the client asks for URLs from a channel that answers base64", async () => {
		const model = await mockImageChannel(uid());
		const { key } = await createKey();
		const res = await json(key, "/v1/images/generations", { model, prompt: "a lighthouse", response_format: "url" });
		const body = await res.json<ImagesResponse>();
		expect(body.data).toHaveLength(1);
		expect(body.data[0]?.b64_json).toBeUndefined();
		const url = body.data[0]?.url ?? "";
		expect(url).toMatch(/^data:image\/png;base64,/);
		expect(await decodePng(url.slice(url.indexOf(",") + 1))).toMatchObject({ width: 64, height: 64 });
	});

	it("relays to an OpenAI channel as JSON, bills its tokens besides the images by the size and quality it answered", async () => {
		const tag = uid();
		const model = `gpt-image-1-${tag}`;
		await createChannel({ type: "openai", base_url: upstream(tag, "ok"), key: "sk-img-0000000001", models: [model] });
		expect(
			(await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 5, output_usd_per_mtok: 40, unit_usd: { "image:1024x1536:high": 0.25 } })).status,
		).toBe(200);
		const { key } = await createKey();

		const res = await json(key, "/v1/images/generations", { model, prompt: "a cat", size: "auto", quality: "auto", moderation: "low", user: "u-1" });
		expect(res.status).toBe(200);
		const body = await res.json<ImagesResponse>();
		expect(body).toMatchObject({ data: [{ b64_json: ONE_PIXEL_PNG }], size: "1024x1536", quality: "high", usage: { input_tokens: 50, output_tokens: 4160 } });

		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/images/generations`);
		expect(sent?.authorization).toBe("Bearer sk-img-0000000001");
		// Parameters the gateway does not read (moderation) go through as sent.
		expect(sent?.body).toEqual({ model, prompt: "a cat", size: "auto", quality: "auto", moderation: "low", user: "u-1" });

		// 50 × $5/M + 4,160 × $40/M + 1 × $0.25.
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ unit: "image:1024x1536:high", units: 1, prompt_tokens: 50, completion_tokens: 4160, estimated: 0 });
		expect(row.cost_nusd).toBe(250_000 + 166_400_000 + 250_000_000);
	});

	it("refuses bad input in OpenAI's format: no prompt, n out of range, stream", async () => {
		const model = await mockImageChannel(uid());
		const { key } = await createKey();
		for (const [body, param] of [
			[{ model }, "prompt"],
			[{ model, prompt: "x", n: 11 }, "n"],
			[{ model, prompt: "x", stream: true }, "stream"],
			[{ model, prompt: "x", response_format: "gif" }, "response_format"],
		] as const) {
			const res = await json(key, "/v1/images/generations", body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			const err = await res.json<ErrorBody>();
			expect(err.error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
		}
	});

	it("chooses only channels whose provider makes images, and says so when none does", async () => {
		const tag = uid();
		const model = `img-${tag}`;
		// An Anthropic channel serves the name but makes no images; the mock does.
		await createChannel({ type: "anthropic", base_url: upstream(tag, "ok"), key: "sk-ant-0000000001", models: [model], priority: 10 });
		await createChannel({ type: "mock", models: [model], priority: 0 });
		const { key } = await createKey();
		const res = await json(key, "/v1/images/generations", { model, prompt: "a boat" });
		expect(res.status).toBe(200);
		expect(await upstreamLog(tag)).toEqual([]);

		const only = `chat-only-${tag}`;
		await createChannel({ type: "anthropic", base_url: upstream(tag, "ok"), key: "sk-ant-0000000001", models: [only] });
		const refused = await json(key, "/v1/images/generations", { model: only, prompt: "a boat" });
		expect(refused.status).toBe(503);
		const err = await refused.json<ErrorBody>();
		expect(err.error).toMatchObject({ code: "model_not_available", param: "model" });
		expect(err.error.message).toBe(`No channel of model '${only}' offers images: their channel types do not`);
	});
});

describe("POST /v1/images/edits", () => {
	const png = () => new Blob([fromBase64(ONE_PIXEL_PNG)], { type: "image/png" });

	it("edits on the mock from a multipart form and answers a PNG, metered per image", async () => {
		const model = await mockImageChannel(uid());
		const { key } = await createKey();
		const res = await form(key, "/v1/images/edits", { model, prompt: "add a hat", image: png(), n: "2", size: "256x256" });
		expect(res.status).toBe(200);
		const body = await res.json<ImagesResponse>();
		expect(body.data).toHaveLength(2);
		expect(await decodePng(body.data[0]?.b64_json ?? "")).toMatchObject({ width: 64, height: 64 });
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ endpoint: "/v1/images/edits", unit: "image:256x256", units: 2 });
	});

	it("posts the form to an OpenAI channel: several images as image[], the mask, the fields", async () => {
		const tag = uid();
		const model = `gpt-image-1-edit-${tag}`;
		await createChannel({ type: "openai", base_url: upstream(tag, "ok"), key: "sk-img-0000000002", models: [model] });
		const { key } = await createKey();
		const res = await form(key, "/v1/images/edits", {
			model,
			prompt: "merge them",
			image: [png(), png()],
			mask: png(),
			quality: "low",
			input_fidelity: "high",
		});
		expect(res.status).toBe(200);
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/images/edits`);
		const file = { file: "in.png", type: "image/png", size: fromBase64(ONE_PIXEL_PNG).length };
		expect(sent?.body).toEqual({
			model,
			prompt: "merge them",
			quality: "low",
			input_fidelity: "high",
			"image[]": [file, file],
			mask: { ...file, file: "mask.png" },
		});
	});

	it("refuses a form without an image, and a JSON body, in OpenAI's format", async () => {
		const model = await mockImageChannel(uid());
		const { key } = await createKey();
		const noImage = await form(key, "/v1/images/edits", { model, prompt: "x" });
		expect(noImage.status).toBe(400);
		expect((await noImage.json<ErrorBody>()).error).toMatchObject({ type: "invalid_request_error", param: "image" });
		const asJson = await json(key, "/v1/images/edits", { model, prompt: "x" });
		expect(asJson.status).toBe(400);
		expect((await asJson.json<ErrorBody>()).error.message).toMatch(/multipart/);
		const badN = await form(key, "/v1/images/edits", { model, prompt: "x", image: png(), n: "zero" });
		expect((await badN.json<ErrorBody>()).error.param).toBe("n");
	});

	it("refuses images beyond FILES_MAX_BYTES (not the JSON body limit) with a 413 in OpenAI's format", async () => {
		const model = await mockImageChannel(uid());
		const { key } = await createKey();
		const limit = Number(env.FILES_MAX_BYTES);
		const huge = new Blob([new Uint8Array(limit + 1)], { type: "image/png" });
		const res = await form(key, "/v1/images/edits", { model, prompt: "x", image: huge });
		expect(res.status).toBe(413);
		expect((await res.json<ErrorBody>()).error).toMatchObject({ code: "body_too_large", param: "image" });
	});
});

describe("Workers AI image models", () => {
	it("take the prompt and the size; FLUX's base64 and Stable Diffusion's PNG stream both become OpenAI's images", async () => {
		expect(await imageInputs({ prompt: "a dog", size: "512x768", n: 2 })).toEqual({ prompt: "a dog", width: 512, height: 768 });
		expect(await imageInputs({ prompt: "a dog", size: "auto" })).toEqual({ prompt: "a dog" });
		const edit = await imageInputs({ prompt: "a dog", image: new Blob([new Uint8Array([1, 2, 3])]), mask: new Blob([new Uint8Array([4])]) });
		expect(edit).toEqual({ prompt: "a dog", image: [1, 2, 3], mask: [4] });

		const pngBytes = fromBase64(ONE_PIXEL_PNG);
		const stream = () => new Blob([pngBytes]).stream();
		expect(await imageBase64(stream())).toBe(ONE_PIXEL_PNG);
		expect(await imageBase64({ image: "/9j/4AAQ" })).toBe("/9j/4AAQ");
		await expect(imageBase64({ response: "text" })).rejects.toThrow();

		const calls: [string, Record<string, unknown>][] = [];
		const sdxl = await workersAiImages(
			async (model, inputs) => {
				calls.push([model, inputs]);
				return stream();
			},
			"@cf/stabilityai/stable-diffusion-xl-base-1.0",
			{ prompt: "a cat", n: 2, size: "1024x1024" },
		);
		expect(calls).toHaveLength(2);
		expect(calls[0]).toEqual(["@cf/stabilityai/stable-diffusion-xl-base-1.0", { prompt: "a cat", width: 1024, height: 1024 }]);
		expect(sdxl).toMatchObject({ data: [{ b64_json: ONE_PIXEL_PNG }, { b64_json: ONE_PIXEL_PNG }], output_format: "png" });

		const flux = await workersAiImages(async () => ({ image: "/9j/4AAQSkZJRg==" }), "@cf/black-forest-labs/flux-1-schnell", { prompt: "a cat" });
		expect(flux).toMatchObject({ data: [{ b64_json: "/9j/4AAQSkZJRg==" }], output_format: "jpeg" });
	});
});

describe("Imagen through a Gemini channel", () => {
	it("translates the request and the predictions", () => {
		expect(aspectRatioOf("1024x1024")).toBe("1:1");
		expect(aspectRatioOf("1536x1024")).toBe("4:3");
		expect(aspectRatioOf("1792x1024")).toBe("16:9");
		expect(aspectRatioOf("1024x1536")).toBe("3:4");
		expect(aspectRatioOf("auto")).toBeUndefined();
		expect(imagenRequest({ prompt: "a hill", n: 3, size: "1792x1024" })).toEqual({
			instances: [{ prompt: "a hill" }],
			parameters: { sampleCount: 3, aspectRatio: "16:9" },
		});
		expect(imagesFromImagen({ predictions: [{ bytesBase64Encoded: "AAA", mimeType: "image/jpeg" }, { raiFilteredReason: "filtered" }] })).toMatchObject({
			data: [{ b64_json: "AAA" }],
			output_format: "jpeg",
		});
		expect(() => imagesFromImagen({ predictions: "no" })).toThrow();
	});

	it("relays to :predict with the channel's key and answers OpenAI's images, refusing a model that is not Imagen", async () => {
		const tag = uid();
		const model = `imagen-4.0-generate-001-${tag}`;
		await createChannel({ type: "gemini", base_url: upstream(tag, "ok").replace(/\/v1$/, "/v1beta"), key: "AIza-imagen-000001", models: [model] });
		const { key } = await createKey();
		const res = await json(key, "/v1/images/generations", { model, prompt: "a hill", n: 2, size: "1024x1024" });
		expect(res.status).toBe(200);
		const body = await res.json<ImagesResponse>();
		expect(body.data).toEqual([{ b64_json: ONE_PIXEL_PNG }, { b64_json: ONE_PIXEL_PNG }]);
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1beta/models/${model}:predict`);
		expect(sent?.headers["x-goog-api-key"]).toBe("AIza-imagen-000001");
		expect(sent?.body).toEqual({ instances: [{ prompt: "a hill" }], parameters: { sampleCount: 2, aspectRatio: "1:1" } });
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ unit: "image:1024x1024", units: 2 });

		const flash = `gemini-flash-${tag}`;
		await createChannel({ type: "gemini", base_url: upstream(tag, "ok").replace(/\/v1$/, "/v1beta"), key: "AIza-imagen-000001", models: [flash] });
		const refused = await json(key, "/v1/images/generations", { model: flash, prompt: "a hill" });
		expect(refused.status).toBe(400);
		expect((await refused.json<ErrorBody>()).error.message).toMatch(/Imagen/);
	});
});
