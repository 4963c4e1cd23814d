import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	authed,
	type BatchObject,
	batchScenario,
	chatLines,
	createBatch,
	fileText,
	getJson,
	jsonLines,
	pauseBatchQueue,
	uploadFile,
	work,
} from "../support/batches";
import { call } from "../support/gateway";

beforeAll(pauseBatchQueue);

describe("POST /v1/batches", () => {
	it("runs a batch to completion: output lines by custom_id, counts, files the user's own", async () => {
		const { model, key, keyId } = await batchScenario();
		const fileId = await uploadFile(key, chatLines(model, 3));
		const res = await createBatch(key, { input_file_id: fileId, metadata: { job: "nightly" } });
		expect(res.status, await res.clone().text()).toBe(200);
		const created = await res.json<BatchObject>();
		expect(created).toMatchObject({
			object: "batch",
			status: "in_progress",
			endpoint: "/v1/chat/completions",
			input_file_id: fileId,
			completion_window: "24h",
			request_counts: { total: 3, completed: 0, failed: 0 },
			metadata: { job: "nightly" },
			output_file_id: null,
		});
		expect(created.id).toMatch(/^batch_/);
		expect(created.expires_at - (created.created_at as number)).toBe(86_400);
		expect(created.model).toBe(model);
		expect(created.usage).toBeUndefined();

		await work(keyId);
		const done = await getJson<BatchObject>(key, `/v1/batches/${created.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { total: 3, completed: 3, failed: 0 }, error_file_id: null });
		expect(done.completed_at).toEqual(expect.any(Number));
		expect(done.finalizing_at).toEqual(expect.any(Number));
		const output = jsonLines(await fileText(key, done.output_file_id ?? ""));
		expect(output.map((l) => l.custom_id).sort()).toEqual(["req-1", "req-2", "req-3"]);
		for (const line of output) {
			expect(line.id).toMatch(/^batch_req_/);
			expect(line.error).toBeNull();
			expect(line.response).toMatchObject({ status_code: 200, body: { object: "chat.completion", model } });
		}
		const first = output.find((l) => l.custom_id === "req-1") as { response: { request_id: string } };
		expect(first.response.request_id).toBe(`${created.id}-1`);
		// The batch's usage is its answers' tokens, summed.
		const answered = output.map((l) => (l.response as { body: { usage: { prompt_tokens: number; completion_tokens: number } } }).body.usage);
		const input = answered.reduce((n, u) => n + u.prompt_tokens, 0);
		const outputTokens = answered.reduce((n, u) => n + u.completion_tokens, 0);
		expect(input).toBeGreaterThan(0);
		expect(done.usage).toEqual({
			input_tokens: input,
			input_tokens_details: { cached_tokens: 0 },
			output_tokens: outputTokens,
			output_tokens_details: { reasoning_tokens: 0 },
			total_tokens: input + outputTokens,
		});

		// Kept 30 days by default, as OpenAI keeps batch output.
		const meta = await getJson<{ purpose: string; created_at: number; expires_at: number }>(key, `/v1/files/${done.output_file_id}`);
		expect(meta.purpose).toBe("batch_output");
		expect(meta.expires_at - meta.created_at).toBe(30 * 86_400);
		// Another user sees neither the batch nor its output.
		const other = await batchScenario();
		expect((await call(`/v1/batches/${created.id}`, authed(other.key))).status).toBe(404);
		expect((await call(`/v1/files/${done.output_file_id}/content`, authed(other.key))).status).toBe(404);
	});

	it("keeps the output and error files as long as output_expires_after says; lines naming two models name none", async () => {
		const { model, key, keyId } = await batchScenario();
		const lines = chatLines(model, 2, (i) => (i === 2 ? { model: `${model}-other`, messages: "not a list" } : {}));
		const res = await createBatch(key, { input_file_id: await uploadFile(key, lines), output_expires_after: { anchor: "created_at", seconds: 7200 } });
		expect(res.status, await res.clone().text()).toBe(200);
		const created = await res.json<BatchObject>();
		expect(created.model).toBeUndefined();
		await work(keyId);
		const done = await getJson<BatchObject>(key, `/v1/batches/${created.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 1, failed: 1 } });
		for (const id of [done.output_file_id, done.error_file_id]) {
			const meta = await getJson<{ created_at: number; expires_at: number }>(key, `/v1/files/${id}`);
			expect(meta.expires_at - meta.created_at).toBe(7200);
		}
		// Only the line that succeeded counts in the usage.
		const answers = jsonLines(await fileText(key, done.output_file_id ?? "")).map((l) => l.response as { body: { usage: { total_tokens: number } } });
		expect(answers).toHaveLength(1);
		expect((done.usage as { total_tokens: number }).total_tokens).toBe(answers[0]?.body.usage.total_tokens);

		for (const bad of [
			{ anchor: "created_at", seconds: 60 },
			{ anchor: "completed_at", seconds: 7200 },
		]) {
			const refused = await createBatch(key, { input_file_id: await uploadFile(key, chatLines(model, 1)), output_expires_after: bad });
			expect(refused.status).toBe(400);
			expect((await refused.json<{ error: { type: string } }>()).error.type).toBe("invalid_request_error");
		}
	});

	it("puts answers that are not 2xx and lines that cannot run in the error file", async () => {
		const { model, key, keyId } = await batchScenario();
		const lines = chatLines(model, 3, (i) => (i === 2 ? { messages: "not a list" } : i === 3 ? { stream: true } : {}));
		const created = await (await createBatch(key, { input_file_id: await uploadFile(key, lines) })).json<BatchObject>();
		await work(keyId);
		const done = await getJson<BatchObject>(key, `/v1/batches/${created.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { total: 3, completed: 1, failed: 2 } });
		const errors = jsonLines(await fileText(key, done.error_file_id ?? ""));
		const byId = Object.fromEntries(errors.map((l) => [l.custom_id, l]));
		expect(byId["req-2"]).toMatchObject({
			response: { status_code: 400, request_id: `${created.id}-2`, body: { error: { type: "invalid_request_error" } } },
			error: null,
		});
		expect(byId["req-3"]).toMatchObject({ response: null, error: { code: "invalid_request" } });
		expect(jsonLines(await fileText(key, done.output_file_id ?? "")).map((l) => l.custom_id)).toEqual(["req-1"]);
	});

	it("fails a batch whose file has bad lines, listing each with its line number", async () => {
		const { model, key } = await batchScenario();
		const good = chatLines(model, 1);
		const lines = [
			good,
			"{not json",
			JSON.stringify({ custom_id: "req-1", method: "POST", url: "/v1/chat/completions", body: { model } }),
			JSON.stringify({ custom_id: "x", method: "POST", url: "/v1/embeddings", body: { model, input: "a" } }),
			JSON.stringify({ custom_id: "y", method: "GET", url: "/v1/chat/completions", body: { model } }),
			JSON.stringify({ custom_id: "z", method: "POST", url: "/v1/chat/completions", body: {} }),
		].join("\n");
		const res = await createBatch(key, { input_file_id: await uploadFile(key, lines) });
		expect(res.status).toBe(200);
		const batch = await res.json<BatchObject>();
		expect(batch.status).toBe("failed");
		expect(batch.failed_at).toEqual(expect.any(Number));
		expect(batch.errors.data.map((e) => [e.code, e.line])).toEqual([
			["invalid_json_line", 2],
			["duplicate_custom_id", 3],
			["mismatched_endpoint", 4],
			["invalid_request", 5],
			["invalid_request", 6],
		]);
		const empty = await (await createBatch(key, { input_file_id: await uploadFile(key, "\n\n") })).json<BatchObject>();
		expect(empty.errors.data.map((e) => e.code)).toEqual(["empty_file"]);
	});

	it("refuses another purpose's file (400), another user's file (404), and endpoints it does not batch", async () => {
		const { model, key } = await batchScenario();
		const notBatch = await uploadFile(key, chatLines(model, 1), "assistants");
		const wrongPurpose = await createBatch(key, { input_file_id: notBatch });
		expect(wrongPurpose.status).toBe(400);
		expect((await wrongPurpose.json<{ error: { param: string } }>()).error.param).toBe("input_file_id");
		const other = await batchScenario();
		expect((await createBatch(other.key, { input_file_id: await uploadFile(key, chatLines(model, 1)) })).status).toBe(404);
		const completions = await createBatch(key, { input_file_id: await uploadFile(key, chatLines(model, 1)), endpoint: "/v1/completions" });
		expect(completions.status).toBe(400);
		expect((await createBatch(key, { input_file_id: "file-nope", completion_window: "1h" })).status).toBe(400);
	});

	it("needs the batches scope", async () => {
		const { model, key } = await batchScenario({ scopes: ["relay", "files"] });
		const res = await createBatch(key, { input_file_id: await uploadFile(key, chatLines(model, 1)) });
		expect(res.status).toBe(403);
	});

	it("lists newest first with OpenAI's cursor page", async () => {
		const { model, key } = await batchScenario();
		const fileId = await uploadFile(key, chatLines(model, 1));
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) ids.push((await (await createBatch(key, { input_file_id: fileId })).json<BatchObject>()).id);
		const page = await getJson<{ object: string; data: BatchObject[]; has_more: boolean; first_id: string; last_id: string }>(key, "/v1/batches?limit=2");
		expect(page.data.map((b) => b.id)).toEqual([ids[2], ids[1]]);
		expect(page).toMatchObject({ object: "list", has_more: true, first_id: ids[2], last_id: ids[1] });
		const next = await getJson<{ data: BatchObject[]; has_more: boolean }>(key, `/v1/batches?limit=2&after=${page.last_id}`);
		expect(next.data.map((b) => b.id)).toEqual([ids[0]]);
		expect(next.has_more).toBe(false);
	});

	it("cancels: pending lines are not run, and the batch ends cancelled with an error file", async () => {
		const { model, key } = await batchScenario();
		const created = await (await createBatch(key, { input_file_id: await uploadFile(key, chatLines(model, 2)) })).json<BatchObject>();
		const res = await call(`/v1/batches/${created.id}/cancel`, authed(key, { method: "POST" }));
		expect(res.status).toBe(200);
		const cancelled = await res.json<BatchObject>();
		expect(cancelled).toMatchObject({ status: "cancelled", output_file_id: null });
		expect(cancelled.cancelling_at).toEqual(expect.any(Number));
		expect(cancelled.cancelled_at).toEqual(expect.any(Number));
		const errors = jsonLines(await fileText(key, cancelled.error_file_id ?? ""));
		expect(errors.map((l) => (l.error as { code: string }).code)).toEqual(["batch_cancelled", "batch_cancelled"]);
		const { results } = await env.DB.prepare("SELECT status FROM batch_lines WHERE batch_id = ?1").bind(created.id).all<{ status: string }>();
		expect(results.map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
	});
});

interface MessageBatch {
	id: string;
	type: string;
	processing_status: string;
	request_counts: Record<string, number>;
	ended_at: string | null;
	results_url: string | null;
	[k: string]: unknown;
}

const anthropic = (key: string, path: string, init: RequestInit = {}) =>
	call(`/v1/messages/batches${path}`, { ...init, headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" } });

describe("/v1/messages/batches", () => {
	it("runs Anthropic's batches: shapes, results by custom_id, paging, delete once ended", async () => {
		const { model, key, keyId } = await batchScenario();
		const params = (text: string) => ({ model, max_tokens: 32, messages: [{ role: "user", content: text }] });
		const res = await anthropic(key, "", {
			method: "POST",
			body: JSON.stringify({
				requests: [
					{ custom_id: "ok", params: params("hi") },
					{ custom_id: "bad", params: { ...params("hi"), messages: [{ role: "robot", content: "hi" }] } },
					{ custom_id: "streams", params: { ...params("hi"), stream: true } },
				],
			}),
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const created = await res.json<MessageBatch>();
		expect(created).toMatchObject({
			type: "message_batch",
			processing_status: "in_progress",
			request_counts: { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
			ended_at: null,
			archived_at: null,
			results_url: null,
		});
		expect(created.id).toMatch(/^msgbatch_/);
		// Not ended: no results, no delete (Anthropic's error shape).
		const early = await anthropic(key, `/${created.id}/results`);
		expect(early.status).toBe(400);
		expect(await early.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
		expect((await anthropic(key, `/${created.id}`, { method: "DELETE" })).status).toBe(400);
		// OpenAI's API does not show it, nor another user Anthropic's.
		expect((await call(`/v1/batches/${created.id}`, authed(key))).status).toBe(404);
		expect((await anthropic((await batchScenario()).key, `/${created.id}`)).status).toBe(404);

		await work(keyId);
		const ended = await (await anthropic(key, `/${created.id}`)).json<MessageBatch>();
		expect(ended).toMatchObject({ processing_status: "ended", request_counts: { processing: 0, succeeded: 1, errored: 2, canceled: 0, expired: 0 } });
		expect(ended.ended_at).toEqual(expect.any(String));
		expect(ended.results_url).toBe(`http://gateway.test/v1/messages/batches/${created.id}/results`);
		const results = await anthropic(key, `/${created.id}/results`);
		expect(results.headers.get("content-type")).toBe("application/x-jsonl");
		const lines = Object.fromEntries(jsonLines(new TextDecoder().decode(await results.arrayBuffer())).map((l) => [l.custom_id, l.result]));
		expect(lines.ok).toMatchObject({ type: "succeeded", message: { type: "message", role: "assistant", model } });
		expect(lines.bad).toMatchObject({ type: "errored", error: { type: "error", error: { type: "invalid_request_error" } } });
		expect(lines.streams).toMatchObject({ type: "errored", error: { type: "error", error: { type: "invalid_request_error" } } });

		const second = await (
			await anthropic(key, "", { method: "POST", body: JSON.stringify({ requests: [{ custom_id: "a", params: params("x") }] }) })
		).json<MessageBatch>();
		const page = await (await anthropic(key, "?limit=1")).json<{ data: MessageBatch[]; has_more: boolean; first_id: string; last_id: string }>();
		expect(page).toMatchObject({ has_more: true, first_id: second.id, last_id: second.id });
		const older = await (await anthropic(key, `?limit=1&after_id=${second.id}`)).json<{ data: MessageBatch[]; has_more: boolean }>();
		expect(older.data.map((b) => b.id)).toEqual([created.id]);
		expect(older.has_more).toBe(false);
		const newer = await (await anthropic(key, `?limit=1&before_id=${created.id}`)).json<{ data: MessageBatch[] }>();
		expect(newer.data.map((b) => b.id)).toEqual([second.id]);

		const canceled = await (await anthropic(key, `/${second.id}/cancel`, { method: "POST" })).json<MessageBatch>();
		expect(canceled).toMatchObject({ processing_status: "ended", request_counts: { canceled: 1 } });
		expect(canceled.cancel_initiated_at).toEqual(expect.any(String));

		const deleted = await anthropic(key, `/${created.id}`, { method: "DELETE" });
		expect(await deleted.json()).toEqual({ id: created.id, type: "message_batch_deleted" });
		expect((await anthropic(key, `/${created.id}`)).status).toBe(404);
	});

	it("refuses a malformed request in Anthropic's format", async () => {
		const { model, key } = await batchScenario();
		const twice = { custom_id: "same", params: { model, max_tokens: 8, messages: [{ role: "user", content: "x" }] } };
		const res = await anthropic(key, "", { method: "POST", body: JSON.stringify({ requests: [twice, twice] }) });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
	});
});
