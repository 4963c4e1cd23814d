import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { app } from "../../src/app";
import type { GatewayFetch } from "../../src/batches/run-line";
import { runWorker } from "../../src/batches/worker";
import { admin, call, createChannel, createKey, uid } from "./gateway";

export interface BatchObject {
	id: string;
	object: string;
	status: string;
	endpoint: string;
	input_file_id: string;
	output_file_id: string | null;
	error_file_id: string | null;
	errors: { object: string; data: { code: string; message: string; line: number | null; param: string | null }[] };
	request_counts: { total: number; completed: number; failed: number };
	expires_at: number;
	metadata: Record<string, string> | null;
	[k: string]: unknown;
}

/**
 * The batch queue's consumer is paused for these tests (its messages deferred), so that each test runs the workers
 * itself, step by step, and sees what each one did.
 */
export async function pauseBatchQueue(): Promise<void> {
	await env.DB.prepare("INSERT INTO queue_controls (queue, paused_at, paused_by) VALUES ('batch', ?1, 'test') ON CONFLICT (queue) DO UPDATE SET paused_at = ?1")
		.bind(Date.now())
		.run();
}

/** A user of its own with a key, and a mock channel serving a model name no other test uses. */
export async function batchScenario(keyInput: Record<string, unknown> = {}) {
	const model = `batch-${uid()}`;
	await createChannel({ type: "mock", models: [model] });
	const res = await admin("POST", "/api/users", { name: `batch-${uid()}` });
	const { id: userId } = await res.json<{ id: number }>();
	const { id: keyId, key } = await createKey({ user_id: userId, ...keyInput });
	return { model, key, keyId, userId };
}

export const authed = (key: string, init: RequestInit = {}): RequestInit => ({
	...init,
	headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
});

export async function uploadFile(key: string, content: string, purpose = "batch"): Promise<string> {
	const form = new FormData();
	form.append("purpose", purpose);
	form.append("file", new File([content], "batch.jsonl", { type: "application/jsonl" }));
	const res = await call("/v1/files", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
	expect(res.status, await res.clone().text()).toBe(200);
	return (await res.json<{ id: string }>()).id;
}

/** A JSONL input file of `n` chat requests to `model`, custom ids `req-1` … `req-n`. */
export function chatLines(model: string, n: number, over: (i: number) => Record<string, unknown> = () => ({})): string {
	return Array.from({ length: n }, (_, k) => {
		const i = k + 1;
		return JSON.stringify({
			custom_id: `req-${i}`,
			method: "POST",
			url: "/v1/chat/completions",
			body: { model, messages: [{ role: "user", content: `hello ${i}` }], ...over(i) },
		});
	}).join("\n");
}

export async function createBatch(key: string, body: Record<string, unknown>): Promise<Response> {
	return call("/v1/batches", authed(key, { method: "POST", body: JSON.stringify({ endpoint: "/v1/chat/completions", completion_window: "24h", ...body }) }));
}

export async function getJson<T>(key: string, path: string): Promise<T> {
	const res = await call(path, authed(key));
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json<T>();
}

/** The gateway's own fetch handler, as the Worker's entry hands it to the batch consumer. */
export const gatewayFetch: GatewayFetch = (req, e, ctx) => app.fetch(req, e, ctx);

/** Runs one worker of the key's batches to its end, as one delivered message would, waiting for its usage records. */
export async function work(keyId: number, fetcher: GatewayFetch = gatewayFetch): Promise<void> {
	const ctx = createExecutionContext();
	await runWorker(env, ctx, fetcher, keyId);
	await waitOnExecutionContext(ctx);
}

export async function fileText(key: string, id: string): Promise<string> {
	const res = await call(`/v1/files/${id}/content`, authed(key));
	expect(res.status).toBe(200);
	return new TextDecoder().decode(await res.arrayBuffer());
}

export const jsonLines = (text: string): Record<string, unknown>[] =>
	text
		.split("\n")
		.filter((l) => l.trim() !== "")
		.map((l) => JSON.parse(l) as Record<string, unknown>);
