import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { UsageRecord } from "../../queues/usage-message";
import type { reconcileReport } from "../../src/routes/billing-schemas";
import type { refusalsResponse } from "../../src/routes/stats-schemas";
import { admin, call, chat, createKey, uid, usageRow } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

const record = (requestId: string, over: Partial<UsageRecord> = {}): UsageRecord =>
	usageRecord({ request_id: requestId, model: "m", upstream_model: "m", ...over });

const deliverUsage = (messages: { id: string; body: unknown; attempts?: number }[]) => deliver("edge-gateway-usage", messages);

type Reconciliation = z.infer<typeof reconcileReport>;
type Refusals = z.infer<typeof refusalsResponse>;

const reconcile = async () => (await admin("GET", "/api/billing/reconcile")).json<Reconciliation>();

/** The invalid_api_key refusals counted in the last two hours. */
async function refusals(code: string): Promise<number> {
	const body = await (await admin("GET", `/api/stats/refusals?from=${Date.now() - 2 * 3_600_000}`)).json<Refusals>();
	return body.data.filter((r) => r.code === code).reduce((sum, r) => sum + r.count, 0);
}

async function waitFor(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await done())) {
		if (Date.now() > until) throw new Error("timed out");
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function keyOfNewUser(): Promise<{ id: number; userId: number }> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`u-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	const { id } = await createKey({ user_id: user.id });
	return { id, userId: user.id };
}

async function deadJobsOf(messageId: string) {
	const list = await (await admin("GET", "/api/jobs/dead?pending=true")).json<{
		data: { id: number; message_id: string; queue: string; body: unknown; error: string | null }[];
	}>();
	return list.data.filter((j) => j.message_id.startsWith(`${messageId}#`));
}

const count = async (requestId: string) =>
	(await env.DB.prepare("SELECT count(*) AS n FROM usage_logs WHERE request_id = ?").bind(requestId).first<{ n: number }>())?.n;

describe("usage queue consumer", () => {
	it("writes a batch and acknowledges each message", async () => {
		const ids = [uid(), uid(), uid()];
		const result = await deliverUsage([
			{ id: "one", body: { records: [record(ids[0] ?? "")] } },
			{ id: "two", body: { records: [record(ids[1] ?? ""), record(ids[2] ?? "")] } },
		]);
		expect(result.explicitAcks.sort()).toEqual(["one", "two"]);
		for (const id of ids) expect(await count(id)).toBe(1);
	});

	it("stores every field of a record as sent", async () => {
		const id = uid();
		const sent = record(id, {
			token_id: 7,
			channel_id: 3,
			upstream_model: "up",
			cost_nusd: 12_500_000,
			price_id: 5,
			ttfb_ms: null,
			stream: true,
			error_code: "x",
			partial: true,
		});
		await deliverUsage([{ id: "f", body: { records: [sent] } }]);
		// SQLite keeps booleans as 0 and 1.
		expect(await usageRow(id)).toEqual({ ...sent, stream: 1, estimated: 0, partial: 1, cache_hit: null, saved_nusd: 0 });
	});

	it("is idempotent on request id: a redelivered message makes no second row", async () => {
		const id = uid();
		await deliverUsage([{ id: "a", body: { records: [record(id, { completion_tokens: 5 })] } }]);
		const again = await deliverUsage([
			{ id: "b", body: { records: [record(id, { completion_tokens: 999 })] }, attempts: 2 },
			{ id: "c", body: { records: [record(id, { completion_tokens: 999 }), record(id, { completion_tokens: 7 })] } },
		]);
		expect(again.explicitAcks.sort()).toEqual(["b", "c"]);
		expect(await count(id)).toBe(1);
		expect((await usageRow(id)).completion_tokens).toBe(5);
	});

	it("retries a message whose envelope cannot be read (so it ends in the dead-letter queue) without losing the good ones", async () => {
		const good = uid();
		const result = await deliverUsage([
			{ id: "good", body: { records: [record(good)] } },
			{ id: "bad", body: { records: "not a list" } },
		]);
		expect(result.explicitAcks).toEqual(["good"]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["bad"]);
		expect(await count(good)).toBe(1);
	});

	it("marks the key as used", async () => {
		const { id: tokenId } = await createKey();
		const at = Date.now();
		await deliverUsage([{ id: "t", body: { records: [record(uid(), { token_id: tokenId, created_at: at })] } }]);
		const row = await env.DB.prepare("SELECT last_used_at FROM tokens WHERE id = ?").bind(tokenId).first<{ last_used_at: number }>();
		expect(row?.last_used_at).toBe(at);
	});
});

describe("one bad record costs only itself", () => {
	it("stores the 50 paid records batched with one the schema refuses, and files that one as a replayable dead letter", async () => {
		const { id: tokenId, userId } = await keyOfNewUser();
		const paid = Array.from({ length: 50 }, () => record(`paid-${uid()}`, { token_id: tokenId, user_id: userId, cost_nusd: 1_000, price_id: 1 }));
		// As an isolate from before records were bounded made it: a 300-character model name from a Gemini path.
		const bad = record(`bad-${uid()}`, {
			token_id: tokenId,
			user_id: userId,
			cost_nusd: 777,
			model: "g".repeat(300),
			endpoint: `/v1beta/models/${"g".repeat(300)}`,
		});
		const before = await reconcile();
		const messageId = `mixed-${uid()}`;
		const result = await deliverUsage([{ id: messageId, body: { records: [...paid.slice(0, 25), bad, ...paid.slice(25)] } }]);
		expect(result.explicitAcks).toEqual([messageId]);
		expect(result.retryMessages).toEqual([]);

		const stored = await env.DB.prepare("SELECT count(*) AS n FROM usage_logs WHERE token_id = ?").bind(tokenId).first<{ n: number }>();
		expect(stored?.n).toBe(50);
		const charged = await env.DB.prepare("SELECT count(*) AS n, sum(amount_nusd) AS total FROM ledger_entries WHERE token_id = ?")
			.bind(tokenId)
			.first<{ n: number; total: number }>();
		expect(charged).toEqual({ n: 50, total: -50_000 });
		const dead = await deadJobsOf(messageId);
		expect(dead).toHaveLength(1);
		expect(dead[0]).toMatchObject({ message_id: `${messageId}#25`, queue: "edge-gateway-usage", body: { records: [bad] } });
		expect(dead[0]?.error).toContain("<=256 characters");

		// Served, and not in the log: reconcile says so, in requests and in money, until the record is replayed.
		const pending = await reconcile();
		expect(pending.unrecorded_requests - before.unrecorded_requests).toBe(1);
		expect(Math.round((pending.unrecorded_cost_usd - before.unrecorded_cost_usd) * 1e9)).toBe(777);
		expect(pending.problems.find((p) => p.kind === "unrecorded_usage")).toBeDefined();
		expect(Math.round((pending.drift_usd - before.drift_usd) * 1e9)).toBe(777);

		const replayed = await admin("POST", `/api/jobs/dead/${dead[0]?.id}/replay`);
		expect(replayed.status).toBe(200);
		const row = await usageRow(bad.request_id);
		expect(row).toMatchObject({ cost_nusd: 777, model: "g".repeat(256) });
		expect(String(row.endpoint)).toHaveLength(256);
		const after = await reconcile();
		expect(after.unrecorded_requests).toBe(before.unrecorded_requests);
		expect(after.drift_usd).toBe(before.drift_usd);
	});

	it("files a record that cannot be repaired as a dead letter that replay refuses, with the reason", async () => {
		const messageId = `broken-${uid()}`;
		await deliverUsage([{ id: messageId, body: { records: [record(uid()), { request_id: 42 }] } }]);
		const [dead] = await deadJobsOf(messageId);
		expect(dead?.message_id).toBe(`${messageId}#1`);
		const refused = await admin("POST", `/api/jobs/dead/${dead?.id}/replay`);
		expect(refused.status).toBe(400);
		expect((await refused.json<{ error: { message: string } }>()).error.message).toContain("request_id");
	});
});

describe("every relay request of an accepted key yields one usage record", () => {
	it("records failures too: bad input", async () => {
		const { key, id } = await createKey();
		const badJson = await call("/v1/chat/completions", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: "{",
		});
		expect(await usageRow(badJson.headers.get("x-request-id") ?? "")).toMatchObject({ status: 400, error_code: "invalid_json", token_id: id });
	});

	it("bounds what the client chose (the path, the model name) to the record's schema", async () => {
		const { key, id } = await createKey();
		const model = `g${"x".repeat(299)}`;
		const res = await call(`/v1beta/models/${model}:generateContent`, {
			method: "POST",
			headers: { "x-goog-api-key": key, "content-type": "application/json" },
			body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
		});
		expect(res.status).toBeGreaterThanOrEqual(400);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ token_id: id, model: model.slice(0, 256) });
		expect(String(row.endpoint)).toHaveLength(256);
	});
});

describe("requests refused before any key was accepted", () => {
	it("write no usage row, whatever the API, and are counted per hour and error code instead", async () => {
		const before = await refusals("invalid_api_key");
		const hello = JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] });
		const anonymous = [
			await chat("sk-wrong", { model: "m", messages: [{ role: "user", content: "x" }] }),
			await call("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: hello }),
			await call("/v1/embeddings", { method: "POST", headers: { authorization: "Bearer sk-nope" }, body: '{"model":"e","input":"x"}' }),
			await call("/v1/messages", { method: "POST", headers: { "x-api-key": "sk-nope" }, body: hello }),
			await call("/v1/responses", { method: "POST", body: hello }),
			await call(`/v1beta/models/${"g".repeat(300)}:generateContent`, { method: "POST", body: "{}" }),
		];
		expect(anonymous.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
		// A request of a real key, sent after them, is stored after them.
		const { key } = await createKey();
		await usageRow(
			(await call("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{" })).headers.get("x-request-id") ?? "",
		);
		const ids = anonymous.map((r) => r.headers.get("x-request-id") ?? "");
		const rows = await env.DB.prepare(`SELECT count(*) AS n FROM usage_logs WHERE request_id IN (${ids.map(() => "?").join(",")})`)
			.bind(...ids)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
		await waitFor(async () => (await refusals("invalid_api_key")) - before === anonymous.length);
	});

	it("are the operator's to see", async () => {
		const { key } = await createKey();
		expect((await call("/api/stats/refusals", { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
		expect((await admin("GET", "/api/stats/refusals?from=2026-01-02&to=2026-01-01")).status).toBe(400);
	});
});
