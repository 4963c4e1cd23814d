import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { claimLine, endLine, LEASE_MS } from "../../src/batches/claims";
import { settleBatch } from "../../src/batches/finish";
import { runLine } from "../../src/batches/run-line";
import { findBatch } from "../../src/batches/store";
import { batchUpkeep } from "../../src/batches/sweep";
import { findFile, storeFile } from "../../src/knowledge/files/store";
import {
	type BatchObject,
	batchScenario,
	chatLines,
	createBatch,
	fileText,
	gatewayFetch,
	getJson,
	jsonLines,
	pauseBatchQueue,
	uploadFile,
	work,
} from "../support/batches";
import { admin, call, chat, createKey, uid, usageRow } from "../support/gateway";
import { deliver } from "../support/usage-records";

beforeAll(pauseBatchQueue);

async function started(lines: number, keyInput: Record<string, unknown> = {}) {
	const s = await batchScenario(keyInput);
	const batch = await (await createBatch(s.key, { input_file_id: await uploadFile(s.key, chatLines(s.model, lines)) })).json<BatchObject>();
	return { ...s, batch };
}

const lineStatuses = async (batchId: string) =>
	(await env.DB.prepare("SELECT status FROM batch_lines WHERE batch_id = ?1 ORDER BY line").bind(batchId).all<{ status: string }>()).results.map(
		(r) => r.status,
	);

describe("batch_concurrency", () => {
	it("is the operator's to set on a key (PATCH /api/tokens/{id}), and shown with it; its user may not", async () => {
		const email = `b-${uid()}@example.com`;
		const user = await (await admin("POST", "/api/users", { name: `b-${uid()}`, email, password: "correct horse" })).json<{ id: number }>();
		const { id } = await createKey({ user_id: user.id });
		const set = await admin("PATCH", `/api/tokens/${id}`, { batch_concurrency: 3 });
		expect(set.status).toBe(200);
		expect((await set.json<{ batch_concurrency: number | null }>()).batch_concurrency).toBe(3);
		const login = await call("/api/auth/login", {
			method: "POST",
			headers: { "content-type": "application/json", "cf-connecting-ip": "10.2.0.7" },
			body: JSON.stringify({ email, password: "correct horse" }),
		});
		const { token } = await login.json<{ token: string }>();
		const refused = await call(`/api/tokens/${id}`, {
			method: "PATCH",
			headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
			body: JSON.stringify({ batch_concurrency: 50 }),
		});
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { param: string } }>()).error.param).toBe("batch_concurrency");
		const cleared = await admin("PATCH", `/api/tokens/${id}`, { batch_concurrency: null });
		expect((await cleared.json<{ batch_concurrency: number | null }>()).batch_concurrency).toBeNull();
	});
});

describe("batch workers", () => {
	it("never run more of a key's lines at once than its batch_concurrency", async () => {
		const { key, keyId, batch } = await started(8);
		expect((await admin("PATCH", `/api/tokens/${keyId}`, { batch_concurrency: 2 })).status).toBe(200);
		let running = 0;
		let most = 0;
		const counting: typeof gatewayFetch = async (req, e, ctx) => {
			running++;
			most = Math.max(most, running);
			try {
				await new Promise((r) => setTimeout(r, 30));
				return await gatewayFetch(req, e, ctx);
			} finally {
				running--;
			}
		};
		// Four workers at once, as four messages of one delivery would be.
		await Promise.all([work(keyId, counting), work(keyId, counting), work(keyId, counting), work(keyId, counting)]);
		expect(most).toBe(2);
		const done = await getJson<BatchObject>(key, `/v1/batches/${batch.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { total: 8, completed: 8, failed: 0 } });
	});

	it("runs again a line whose consumer died once its lease is over, and bills it once, at the batch discount", async () => {
		const { key, keyId, model, batch } = await started(1);
		await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1000, output_usd_per_mtok: 2000 });
		// The consumer claims the line and the gateway answers it (its usage is recorded), then the consumer dies.
		const claim = await claimLine(env, keyId);
		expect(claim).toMatchObject({ batch_id: batch.id, line: 1 });
		const row = await findBatch(env, batch.id);
		const file = await env.DB.prepare("SELECT r2_key FROM files WHERE id = ?1").bind(batch.input_file_id).first<{ r2_key: string }>();
		if (!claim || !row || !file) throw new Error("no claim");
		const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
		const first = await runLine(env, ctx, gatewayFetch, { row, inputR2Key: file.r2_key }, claim);
		expect(first).toMatchObject({ status: "succeeded", statusCode: 200, requestId: `${batch.id}-1` });
		// Within the lease nobody takes it; after it, a worker does.
		await work(keyId);
		expect(await lineStatuses(batch.id)).toEqual(["running"]);
		await env.DB.prepare("UPDATE batch_lines SET claimed_at = claimed_at - ?2 WHERE batch_id = ?1").bind(batch.id, LEASE_MS).run();
		await work(keyId);
		const done = await getJson<BatchObject>(key, `/v1/batches/${batch.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { completed: 1 } });

		const usage = await usageRow(`${batch.id}-1`);
		expect(usage).toMatchObject({ batch_id: batch.id, status: 200 });
		// The same request outside a batch, for its full price.
		const direct = await chat(key, { model, messages: [{ role: "user", content: "hello 1" }] });
		const full = await usageRow(direct.headers.get("x-request-id") ?? "");
		expect(Number(usage.cost_nusd)).toBeGreaterThan(0);
		expect(Number(usage.cost_nusd)).toBe(Math.round(Number(full.cost_nusd) * 0.5));
		await new Promise((r) => setTimeout(r, 1_000));
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM usage_logs WHERE request_id = ?1").bind(`${batch.id}-1`).first<{ n: number }>();
		const debits = await env.DB.prepare("SELECT count(*) AS n FROM ledger_entries WHERE request_id = ?1").bind(`${batch.id}-1`).first<{ n: number }>();
		expect(rows?.n).toBe(1);
		expect(debits?.n).toBe(1);
		const listed = await (await admin("GET", `/api/usage?batch_id=${batch.id}`)).json<{ data: { request_id: string; batch_id: string }[] }>();
		expect(listed.data).toMatchObject([{ request_id: `${batch.id}-1`, batch_id: batch.id }]);
	});

	it("runs a line again, under a request id of its own, when every channel was busy; fails it after three more tries", async () => {
		const { key, keyId, batch } = await started(2);
		// What the gateway answers when every channel of the model is rate limited, as the first run of each line meets it.
		const busy = () => Response.json({ error: { code: "rate_limited", message: "every channel is busy" } }, { status: 429, headers: { "retry-after": "20" } });
		let refusals = 0;
		const firstBusy: typeof gatewayFetch = async (req, e, ctx) => (refusals++ < 2 ? busy() : gatewayFetch(req, e, ctx));
		await work(keyId, firstBusy);
		const waiting = await env.DB.prepare("SELECT status, retries, claimed_at FROM batch_lines WHERE batch_id = ?1 ORDER BY line")
			.bind(batch.id)
			.all<{ status: string; retries: number; claimed_at: number }>();
		expect(waiting.results.map((r) => [r.status, r.retries])).toEqual([
			["pending", 1],
			["pending", 1],
		]);
		// Not before the Retry-After: a worker now finds nothing to run.
		expect(waiting.results.every((r) => r.claimed_at >= Date.now() + 15_000)).toBe(true);
		await work(keyId, firstBusy);
		expect(await lineStatuses(batch.id)).toEqual(["pending", "pending"]);
		await env.DB.prepare("UPDATE batch_lines SET claimed_at = 0 WHERE batch_id = ?1").bind(batch.id).run();
		await work(keyId, firstBusy);
		const done = await getJson<BatchObject>(key, `/v1/batches/${batch.id}`);
		expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 2, failed: 0 } });
		const output = jsonLines(await fileText(key, done.output_file_id ?? ""));
		expect(output.map((o) => (o.response as { request_id: string }).request_id).sort()).toEqual([`${batch.id}-1-r1`, `${batch.id}-2-r1`]);
		expect(await usageRow(`${batch.id}-1-r1`)).toMatchObject({ batch_id: batch.id, status: 200 });

		// Always busy: the first run and three more, then the line fails with the last answer.
		const always = await started(1);
		for (let run = 0; run < 4; run++) {
			await env.DB.prepare("UPDATE batch_lines SET claimed_at = 0 WHERE batch_id = ?1 AND status = 'pending'").bind(always.batch.id).run();
			await work(always.keyId, async () => busy());
		}
		const failed = await getJson<BatchObject>(always.key, `/v1/batches/${always.batch.id}`);
		expect(failed).toMatchObject({ status: "completed", request_counts: { total: 1, completed: 0, failed: 1 } });
		const errors = jsonLines(await fileText(always.key, failed.error_file_id ?? ""));
		expect(errors[0]).toMatchObject({ response: { status_code: 429, request_id: `${always.batch.id}-1-r3` } });
	});

	it("fails the remaining lines of a key that was disabled, with the reason", async () => {
		const { key, keyId, batch } = await started(2);
		expect((await admin("PATCH", `/api/tokens/${keyId}`, { status: "disabled" })).status).toBe(200);
		await work(keyId);
		const row = await findBatch(env, batch.id);
		expect(row).toMatchObject({ status: "completed", failed: 2 });
		await admin("PATCH", `/api/tokens/${keyId}`, { status: "active" });
		const errors = jsonLines(await fileText(key, row?.errorFileId ?? ""));
		expect(errors[0]?.error).toMatchObject({ code: "forbidden", message: "This API key is disabled" });
	});

	it("expires the lines not started when the completion window closes", async () => {
		const { key, keyId, batch } = await started(2);
		await env.DB.prepare("UPDATE batches SET expires_at = ?2 WHERE id = ?1")
			.bind(batch.id, Date.now() - 1)
			.run();
		await work(keyId);
		const done = await getJson<BatchObject>(key, `/v1/batches/${batch.id}`);
		expect(done).toMatchObject({ status: "expired", output_file_id: null });
		expect(done.expired_at).toEqual(expect.any(Number));
		const errors = jsonLines(await fileText(key, done.error_file_id ?? ""));
		expect(errors.map((l) => l.error)).toEqual([
			{ code: "batch_expired", message: expect.any(String) },
			{ code: "batch_expired", message: expect.any(String) },
		]);
	});

	it("the cron expires overdue batches and restarts the workers of batches nobody works on", async () => {
		const overdue = await started(1);
		await env.DB.prepare("UPDATE batches SET expires_at = ?2 WHERE id = ?1")
			.bind(overdue.batch.id, Date.now() - 1)
			.run();
		const idle = await started(1);
		const before = (await env.DB.prepare("SELECT count(*) AS n FROM batch_lines WHERE token_id = ?1").bind(idle.keyId).first<{ n: number }>())?.n;
		expect(before).toBe(1);
		const swept = await batchUpkeep(env, Date.now());
		expect(swept.expired).toBeGreaterThanOrEqual(1);
		expect(swept.restarted).toBeGreaterThanOrEqual(1);
		expect((await findBatch(env, overdue.batch.id))?.status).toBe("expired");
	});

	it("a delivered message runs its key's worker; a message that is not one is retried", async () => {
		const { key, keyId, batch } = await started(1);
		await env.DB.prepare("DELETE FROM queue_controls WHERE queue = 'batch'").run();
		try {
			const result = await deliver("edge-gateway-batch", [
				{ id: "w1", body: { token_id: keyId } },
				{ id: "bad", body: { token: "x" } },
			]);
			expect(result.explicitAcks).toEqual(["w1"]);
			expect(result.retryMessages.map((m) => m.msgId)).toEqual(["bad"]);
		} finally {
			await pauseBatchQueue();
		}
		expect((await getJson<BatchObject>(key, `/v1/batches/${batch.id}`)).status).toBe("completed");
		const jobs = await (await admin("GET", "/api/jobs")).json<{ data: { queue: string; queue_name: string }[] }>();
		expect(jobs.data.find((q) => q.queue === "batch")?.queue_name).toBe("edge-gateway-batch");
	});

	it("files a dead worker message in dead_jobs, and its replay starts the key's worker again", async () => {
		const { keyId } = await started(1);
		const id = `dead-${uid()}`;
		await deliver("edge-gateway-batch-dlq", [{ id, body: { token_id: keyId }, attempts: 5 }]);
		const dead = await env.DB.prepare("SELECT id, queue FROM dead_jobs WHERE message_id = ?1").bind(id).first<{ id: number; queue: string }>();
		expect(dead?.queue).toBe("edge-gateway-batch");
		const replayed = await admin("POST", `/api/jobs/dead/${dead?.id}/replay`);
		expect(replayed.status).toBe(200);
	});

	it("finalizes once when two finishers race: one set of files", async () => {
		const { keyId, batch } = await started(1);
		const claim = await claimLine(env, keyId);
		if (!claim) throw new Error("no claim");
		await endLine(env, claim, { status: "failed", statusCode: null, error: { code: "test", message: "ended by the test" } });
		await Promise.all([settleBatch(env, batch.id), settleBatch(env, batch.id), settleBatch(env, batch.id)]);
		const files = await env.DB.prepare("SELECT count(*) AS n FROM files WHERE filename LIKE ?1").bind(`${batch.id}_%`).first<{ n: number }>();
		expect(files?.n).toBe(1);
		expect(await findBatch(env, batch.id)).toMatchObject({ status: "completed", failed: 1, outputFileId: null, errorFileId: expect.any(String) });
	});

	it("a finisher that takes over from a dead one deletes the files the dead one wrote: the user sees one set", async () => {
		const { key, keyId, userId, batch } = await started(1);
		const claim = await claimLine(env, keyId);
		if (!claim) throw new Error("no claim");
		await endLine(env, claim, { status: "failed", statusCode: null, error: { code: "test", message: "ended by the test" } });
		// The dead finisher: it won finalization a lease ago and wrote an error file before it died.
		const dead = Date.now() - LEASE_MS - 1;
		const stray = await storeFile(env, {
			userId,
			filename: `${batch.id}_error.jsonl`,
			purpose: "batch_output",
			bytes: new Uint8Array(new TextEncoder().encode("{}\n")),
			expiresAt: null,
			quotaBytes: Number.MAX_SAFE_INTEGER,
		});
		await env.DB.prepare("UPDATE batches SET status = 'finalizing', finalizing_at = ?2 WHERE id = ?1").bind(batch.id, dead).run();

		await settleBatch(env, batch.id);
		const done = await findBatch(env, batch.id);
		expect(done).toMatchObject({ status: "completed", errorFileId: expect.any(String) });
		expect(done?.errorFileId).not.toBe(stray.id);
		expect(await findFile(env, stray.id)).toBeUndefined();
		const listed = await getJson<{ data: { id: string; filename: string }[] }>(key, "/v1/files?purpose=batch_output");
		expect(listed.data.filter((f) => f.filename.startsWith(batch.id)).map((f) => f.id)).toEqual([done?.errorFileId]);
	});
});
