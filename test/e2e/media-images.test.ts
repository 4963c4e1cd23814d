// The openai and @anthropic-ai/sdk clients against wrangler dev, on the offline mock channel: images generated and
// edited, text moderated, models retrieved and listed in both shapes; each request metered by its units.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { APIError, NotFoundError, toFile } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";

const gateway = inject("gatewayUrl");
const run = crypto.randomUUID().slice(0, 8);
const IMAGE = `e2e-mock-image-${run}`;
const MODERATION = `e2e-mock-moderation-${run}`;
const CHAT = `e2e-mock-chat-${run}`;

interface UsageView {
	model: string;
	endpoint: string;
	unit: string | null;
	units: number;
	cost_usd: number;
	status: number;
}

/** The usage record of a request, once the queue consumer has written it. */
async function usageOf(requestId: string | null): Promise<UsageView> {
	for (let i = 0; i < 100; i++) {
		const res = await fetch(`${gateway}/api/usage/${requestId}`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
		if (res.ok) return res.json() as Promise<UsageView>;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no usage record for ${requestId}`);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const pngOf = (b64: string | undefined) => Buffer.from(b64 ?? "", "base64");

let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
	await adminApi("POST", "/api/channels", { name: `e2e-media-${run}`, type: "mock", models: [IMAGE, MODERATION, CHAT] });
	await adminApi("PUT", `/api/prices/${IMAGE}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { image: 0.04, "image:1024x1024:hd": 0.08 } });
	await adminApi("PUT", `/api/prices/${MODERATION}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, request_usd: 0.0005 });
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: `e2e-media-${run}`, models: [IMAGE, MODERATION, CHAT, `e2e-nowhere-${run}`] });
	openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
	anthropic = new Anthropic({ apiKey: key, baseURL: gateway, maxRetries: 0 });
});

describe("images, moderation and models through the SDKs", () => {
	it("fails with the SDKs' error classes for a model no channel serves", async () => {
		const nowhere = openai.images.generate({ model: `e2e-nowhere-${run}`, prompt: "a fox" });
		await expect(nowhere).rejects.toBeInstanceOf(APIError);
		await expect(openai.models.retrieve(`e2e-nowhere-${run}`)).rejects.toBeInstanceOf(NotFoundError);
		await expect(anthropic.models.retrieve(`e2e-nowhere-${run}`)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
	});

	it("generates images: valid PNGs, one per n, billed per image by size and quality", async () => {
		const { data, response } = await openai.images.generate({ model: IMAGE, prompt: "a red fox", n: 2, size: "1024x1024", quality: "hd" }).withResponse();
		expect(data.data).toHaveLength(2);
		for (const image of data.data ?? []) expect([...pngOf(image.b64_json).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
		const usage = await usageOf(response.headers.get("x-request-id"));
		expect(usage).toMatchObject({ model: IMAGE, endpoint: "/v1/images/generations", unit: "image:1024x1024:hd", units: 2, status: 200 });
		expect(usage.cost_usd).toBeCloseTo(0.16, 9);
	});

	it("answers a data: URL when asked for URLs", async () => {
		const res = await openai.images.generate({ model: IMAGE, prompt: "a lighthouse", response_format: "url" });
		expect(res.data?.[0]?.url).toMatch(/^data:image\/png;base64,/);
	});

	it("edits an image uploaded with toFile", async () => {
		const source = pngOf((await openai.images.generate({ model: IMAGE, prompt: "a plain square" })).data?.[0]?.b64_json);
		const { data, response } = await openai.images
			.edit({ model: IMAGE, prompt: "add a hat", image: await toFile(source, "square.png", { type: "image/png" }), size: "512x512" })
			.withResponse();
		expect([...pngOf(data.data?.[0]?.b64_json).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
		const usage = await usageOf(response.headers.get("x-request-id"));
		expect(usage).toMatchObject({ endpoint: "/v1/images/edits", unit: "image:512x512", units: 1 });
		expect(usage.cost_usd).toBeCloseTo(0.04, 9);
	});

	it("moderates text, billed per request", async () => {
		const { data, response } = await openai.moderations.create({ model: MODERATION, input: ["I will kill it", "tea is nice"] }).withResponse();
		expect(data.results.map((r) => r.flagged)).toEqual([true, false]);
		expect(data.results[0]?.categories.violence).toBe(true);
		const usage = await usageOf(response.headers.get("x-request-id"));
		expect(usage).toMatchObject({ endpoint: "/v1/moderations", model: MODERATION, status: 200 });
		expect(usage.cost_usd).toBeCloseTo(0.0005, 9);
	});

	it("retrieves a model in OpenAI's shape", async () => {
		expect(await openai.models.retrieve(IMAGE)).toMatchObject({ id: IMAGE, object: "model", owned_by: "edge-gateway" });
	});

	it("lists and retrieves models in Anthropic's shape, page by page", async () => {
		const ids: string[] = [];
		for await (const m of anthropic.models.list({ limit: 2 })) ids.push(m.id);
		// Three models in pages of two: the client follows has_more and last_id.
		expect(ids).toEqual([IMAGE, MODERATION, CHAT].sort());
		const info = await anthropic.models.retrieve(CHAT);
		expect(info).toMatchObject({ type: "model", id: CHAT, display_name: CHAT });
		expect(Number.isNaN(Date.parse(info.created_at))).toBe(false);
	});
});
