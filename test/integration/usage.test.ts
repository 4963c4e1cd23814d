import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UsageRecord } from "../../queues/usage-message";
import { call, chat, createKey, uid, usageRow } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

const record = (requestId: string, over: Partial<UsageRecord> = {}): UsageRecord =>
	usageRecord({ request_id: requestId, model: "m", upstream_model: "m", ...over });

const deliverUsage = (messages: { id: string; body: unknown; attempts?: number }[]) => deliver("edge-gateway-usage", messages);

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
		expect(await usageRow(id)).toEqual({ ...sent, stream: 1, estimated: 0, partial: 1 });
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

	it("retries a malformed message (so it ends in the dead-letter queue) without losing the good ones", async () => {
		const good = uid();
		const result = await deliverUsage([
			{ id: "good", body: { records: [record(good)] } },
			{ id: "bad", body: { records: [{ request_id: 42 }] } },
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

describe("every relay request yields one usage record", () => {
	it("records failures too: a bad key, bad input", async () => {
		const badKey = await chat("sk-wrong", { model: "m", messages: [{ role: "user", content: "x" }] });
		expect(await usageRow(badKey.headers.get("x-request-id") ?? "")).toMatchObject({ status: 401, error_code: "invalid_api_key", token_id: null });
		const { key, id } = await createKey();
		const badJson = await call("/v1/chat/completions", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: "{",
		});
		expect(await usageRow(badJson.headers.get("x-request-id") ?? "")).toMatchObject({ status: 400, error_code: "invalid_json", token_id: id });
	});
});
