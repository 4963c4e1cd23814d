// The Batch API end to end under `wrangler dev`, whose local queues deliver for real: the openai SDK uploads a 100-line
// JSONL file, creates a batch and polls it to completion, then reads its output file; the usage log shows each line
// once, at the discounted price. Then Anthropic's SDK runs a Message Batch on the same channel.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { BadRequestError, NotFoundError, toFile } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi, userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const model = `e2e-batch-mock-${crypto.randomUUID().slice(0, 8)}`;
const LINES = 100;
/** The price set below, in nano-USD per token: $1,000 and $2,000 per million tokens. */
const INPUT_NUSD = 1_000_000;
const OUTPUT_NUSD = 2_000_000;

let openai: OpenAI;
let anthropic: Anthropic;
let stranger: OpenAI;

interface UsageItem {
	request_id: string;
	batch_id: string | null;
	status: number;
	prompt_tokens: number;
	completion_tokens: number;
	cost_usd: number;
}

/** Polls until `done` holds of what `read` returns: no timing is asserted, only a generous bound on the wait. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

beforeAll(async () => {
	await adminApi("POST", "/api/channels", { name: `batch-e2e-${model}`, type: "mock", models: [model] });
	await adminApi("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1000, output_usd_per_mtok: 2000 });
	const key = await userKey("batch-e2e");
	openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
	anthropic = new Anthropic({ apiKey: key, baseURL: gateway, maxRetries: 0 });
	stranger = new OpenAI({ apiKey: await userKey("batch-e2e-stranger"), baseURL: `${gateway}/v1`, maxRetries: 0 });
});

describe("the openai SDK's Batch API against wrangler dev", () => {
	it("refuses a batch over a file that is not a batch file", async () => {
		const notes = await openai.files.create({ file: await toFile(Buffer.from("just notes\n"), "notes.txt"), purpose: "assistants" });
		await expect(openai.batches.create({ input_file_id: notes.id, endpoint: "/v1/chat/completions", completion_window: "24h" })).rejects.toBeInstanceOf(
			BadRequestError,
		);
	});

	it("runs a 100-line batch to completion: output lines match by custom_id, each billed once at the discount", { timeout: 180_000 }, async () => {
		const jsonl = Array.from({ length: LINES }, (_, i) =>
			JSON.stringify({
				custom_id: `line-${i}`,
				method: "POST",
				url: "/v1/chat/completions",
				body: { model, messages: [{ role: "user", content: `Say ${i}` }] },
			}),
		).join("\n");
		const input = await openai.files.create({ file: await toFile(Buffer.from(jsonl), "batch.jsonl"), purpose: "batch" });
		const created = await openai.batches.create({
			input_file_id: input.id,
			endpoint: "/v1/chat/completions",
			completion_window: "24h",
			metadata: { suite: "e2e" },
		});
		expect(created).toMatchObject({ object: "batch", status: "in_progress", request_counts: { total: LINES }, metadata: { suite: "e2e" } });

		const done = await until(
			() => openai.batches.retrieve(created.id),
			(b) => b.status === "completed",
			"the batch to complete",
		);
		expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
		expect(done.error_file_id).toBeNull();
		expect(done.model).toBe(model);
		const output = (await (await openai.files.content(done.output_file_id ?? "")).text())
			.split("\n")
			.filter((l) => l !== "")
			.map(
				(l) =>
					JSON.parse(l) as {
						custom_id: string;
						response: { status_code: number; body: { choices: unknown[]; model: string; usage: { prompt_tokens: number; completion_tokens: number } } };
						error: unknown;
					},
			);
		expect(output.map((l) => l.custom_id).sort()).toEqual(Array.from({ length: LINES }, (_, i) => `line-${i}`).sort());
		for (const line of output) {
			expect(line.error).toBeNull();
			expect(line.response.status_code).toBe(200);
			expect(line.response.body.model).toBe(model);
		}
		const answered = output.map((l) => l.response.body.usage);
		const prompt = answered.reduce((n, u) => n + u.prompt_tokens, 0);
		const completion = answered.reduce((n, u) => n + u.completion_tokens, 0);
		expect(done.usage).toMatchObject({ input_tokens: prompt, output_tokens: completion, total_tokens: prompt + completion });
		await expect(stranger.batches.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.files.content(done.output_file_id ?? "")).rejects.toBeInstanceOf(NotFoundError);

		const rows = await until(
			async () => (await adminApi<{ data: UsageItem[] }>("GET", `/api/usage?batch_id=${created.id}&limit=500`)).data,
			(d) => d.length >= LINES,
			"the batch's usage rows",
		);
		expect(new Set(rows.map((r) => r.request_id)).size).toBe(LINES);
		for (const r of rows) {
			expect(r).toMatchObject({ batch_id: created.id, status: 200 });
			const full = r.prompt_tokens * INPUT_NUSD + r.completion_tokens * OUTPUT_NUSD;
			expect(r.cost_usd).toBeCloseTo((full * 0.5) / 1e9, 12);
		}
		const listed: string[] = [];
		for await (const b of openai.batches.list({ limit: 1 })) listed.push(b.id);
		expect(listed).toContain(created.id);
	});

	it("cancels a batch", { timeout: 60_000 }, async () => {
		const jsonl = JSON.stringify({ custom_id: "only", method: "POST", url: "/v1/embeddings", body: { model, input: "hello" } });
		const input = await openai.files.create({ file: await toFile(Buffer.from(jsonl), "embed.jsonl"), purpose: "batch" });
		const created = await openai.batches.create({ input_file_id: input.id, endpoint: "/v1/embeddings", completion_window: "24h" });
		const cancelled = await openai.batches.cancel(created.id);
		// The line may have run before the cancel arrived: either way the batch ends, and says how.
		expect(["cancelling", "cancelled", "completed"]).toContain(cancelled.status);
		const ended = await until(
			() => openai.batches.retrieve(created.id),
			(b) => b.status === "cancelled" || b.status === "completed",
			"the batch to end",
		);
		expect(ended.request_counts?.total).toBe(1);
	});
});

describe("the Anthropic SDK's Message Batches against wrangler dev", () => {
	it("creates, retrieves and reads the results of a Message Batch", { timeout: 120_000 }, async () => {
		const created = await anthropic.messages.batches.create({
			requests: [
				{ custom_id: "first", params: { model, max_tokens: 32, messages: [{ role: "user", content: "Hello" }] } },
				{ custom_id: "second", params: { model, max_tokens: 32, messages: [{ role: "user", content: "Bye" }] } },
			],
		});
		expect(created).toMatchObject({ type: "message_batch", processing_status: "in_progress" });
		const ended = await until(
			() => anthropic.messages.batches.retrieve(created.id),
			(b) => b.processing_status === "ended",
			"the message batch to end",
		);
		expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 0, canceled: 0, expired: 0 });
		const results: Record<string, string> = {};
		for await (const r of await anthropic.messages.batches.results(created.id)) {
			results[r.custom_id] = r.result.type;
			if (r.result.type === "succeeded") expect(r.result.message.model).toBe(model);
		}
		expect(results).toEqual({ first: "succeeded", second: "succeeded" });
		expect(await anthropic.messages.batches.delete(created.id)).toEqual({ id: created.id, type: "message_batch_deleted" });
	});
});
