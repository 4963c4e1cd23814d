// Gemini's Batch Mode end to end under `wrangler dev`, whose local queues deliver for real: @google/genai creates an
// inline batch on a mock channel, polls it until it is done and reads the responses by their metadata keys.
import { ApiError, GoogleGenAI, JobState } from "@google/genai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi, userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const model = `e2e-gemini-batch-${crypto.randomUUID().slice(0, 8)}`;

let ai: GoogleGenAI;
let stranger: GoogleGenAI;

const client = (apiKey: string) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gateway } });

beforeAll(async () => {
	await adminApi("POST", "/api/channels", { name: `gemini-batch-e2e-${model}`, type: "mock", models: [model] });
	await adminApi("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 2 });
	ai = client(await userKey("gemini-batch-e2e"));
	stranger = client(await userKey("gemini-batch-e2e-stranger"));
});

const ENDED = new Set<string>([JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED, JobState.JOB_STATE_EXPIRED]);

describe("@google/genai's batches against wrangler dev", () => {
	it("runs an inline batch to completion and reads its responses by key", { timeout: 180_000 }, async () => {
		const created = await ai.batches.create({
			model,
			src: ["one", "two", "three"].map((text) => ({ contents: [{ role: "user", parts: [{ text: `Say ${text}` }] }], metadata: { key: text } })),
			config: { displayName: "e2e inline" },
		});
		expect(created.name).toMatch(/^batches\//);
		expect(created).toMatchObject({ displayName: "e2e inline", model: `models/${model}` });
		const name = created.name ?? "";

		const deadline = Date.now() + 120_000;
		let job = await ai.batches.get({ name });
		while (!ENDED.has(job.state ?? "")) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for the batch: ${JSON.stringify(job).slice(0, 500)}`);
			await new Promise((r) => setTimeout(r, 500));
			job = await ai.batches.get({ name });
		}
		expect(job.state).toBe(JobState.JOB_STATE_SUCCEEDED);
		const responses = job.dest?.inlinedResponses ?? [];
		expect(responses.map((r) => r.metadata?.key)).toEqual(["one", "two", "three"]);
		for (const r of responses) {
			expect(r.error).toBeUndefined();
			expect(r.response?.candidates?.[0]?.content?.parts?.[0]?.text).toEqual(expect.any(String));
		}

		const listed: string[] = [];
		for await (const b of await ai.batches.list({ config: { pageSize: 1 } })) listed.push(b.name ?? "");
		expect(listed).toContain(name);

		await expect(stranger.batches.get({ name })).rejects.toMatchObject({ status: 404 });
		await expect(stranger.batches.get({ name })).rejects.toBeInstanceOf(ApiError);
		await ai.batches.delete({ name });
		await expect(ai.batches.get({ name })).rejects.toMatchObject({ status: 404 });
	});
});
