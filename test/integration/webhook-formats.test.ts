import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createHmac } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import { uid, upstreamLog } from "../support/gateway";
import type { LoggedRequest } from "../support/mock-upstream";

const SECRET = "whsec-test-0123456789";

const alert: Notification = {
	id: "alert-41",
	at: "2026-12-02T05:00:00.000Z",
	type: "alert.fired",
	rule_id: 4,
	rule: "Errors on gpt-x",
	metric: "error_rate",
	scope: "model",
	subject: "gpt-x",
	value: 0.75,
	threshold: 0.2,
	window_minutes: 5,
	requests: 12,
};
const ALERT_LINE = 'Alert "Errors on gpt-x": error_rate 75.0% > 20.0% for model gpt-x over 5 min (12 requests)';

const budget: Notification = {
	id: "budget-1",
	at: "2026-12-02T05:00:00.000Z",
	type: "budget.threshold",
	scope: "token",
	scope_id: "9",
	period: "monthly",
	percent: 80,
	limit_usd: 10,
	spent_usd: 8.25,
};

async function deliver(format: string, event: Notification, secret = SECRET): Promise<LoggedRequest> {
	const tag = uid();
	const batch = createMessageBatch("edge-gateway-notify", [{ id: "n1", timestamp: new Date(), attempts: 1, body: event }]);
	const ctx = createExecutionContext();
	const url = `${inject("upstreamUrl")}/${tag}/webhook/hook?access_token=abc`;
	await worker.queue(batch, { ...env, ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_FORMAT: format, ALERT_WEBHOOK_SECRET: secret } as unknown as Env, ctx);
	expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["n1"]);
	const [received] = await upstreamLog(tag);
	if (!received) throw new Error("the webhook received nothing");
	return received;
}

const hmac = (key: string, message: string) => createHmac("sha256", key).update(message).digest();

/** The gateway's own signature, checked as a receiver would, from the raw body. */
function expectGatewaySignature(req: LoggedRequest) {
	const timestamp = req.headers["x-gateway-timestamp"] ?? "";
	expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
	expect(req.headers["x-gateway-signature"]).toBe(`sha256=${hmac(SECRET, `${timestamp}.${req.raw}`).toString("hex")}`);
}

describe("webhook formats", () => {
	it("json: the event as is, signed", async () => {
		const req = await deliver("json", alert);
		expect(req.body).toEqual(alert);
		expect(req.headers["x-gateway-event"]).toBe("alert.fired");
		expectGatewaySignature(req);
	});

	it("json without a secret: no signature headers", async () => {
		const req = await deliver("json", budget, "");
		expect(req.body).toEqual(budget);
		expect(req.headers["x-gateway-signature"]).toBeUndefined();
		expect(req.headers["x-gateway-timestamp"]).toBeUndefined();
	});

	it("slack: an incoming webhook's text and blocks with a readable line", async () => {
		const req = await deliver("slack", alert);
		expect(req.body.text).toBe(ALERT_LINE);
		expect(req.body.blocks).toEqual([
			{ type: "section", text: { type: "plain_text", text: ALERT_LINE } },
			{ type: "context", elements: [{ type: "plain_text", text: "alert.fired · 2026-12-02T05:00:00.000Z · alert-41" }] },
		]);
		expectGatewaySignature(req);
	});

	it("dingtalk: a text message, with DingTalk's signature in the query", async () => {
		const req = await deliver("dingtalk", budget);
		expect(req.body).toEqual({ msgtype: "text", text: { content: "Budget at 80%: token 9 spent $8.25 of $10.00 (monthly)" } });
		const query = new URLSearchParams(req.search);
		expect(query.get("access_token")).toBe("abc");
		const timestamp = query.get("timestamp") ?? "";
		expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(300_000);
		expect(query.get("sign")).toBe(hmac(SECRET, `${timestamp}\n${SECRET}`).toString("base64"));
		// The query is url-encoded on the wire (a base64 '+' or '/' would otherwise be misread).
		expect(req.search).toContain(`sign=${encodeURIComponent(query.get("sign") ?? "")}`);
		expectGatewaySignature(req);
	});

	it("feishu: a text message with Feishu's timestamp and sign in the body", async () => {
		const req = await deliver("feishu", alert);
		const { timestamp, sign, ...message } = req.body;
		expect(message).toEqual({ msg_type: "text", content: { text: ALERT_LINE } });
		expect(typeof timestamp).toBe("string");
		expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
		expect(sign).toBe(hmac(`${timestamp}\n${SECRET}`, "").toString("base64"));
		expectGatewaySignature(req);
	});

	it("gives every notification type a readable line", async () => {
		const events: [Notification, string][] = [
			[
				{ id: "c1", at: alert.at, type: "channel.opened", channel_id: 7, model: "gpt-x", state: "open", reason: "503: overloaded" },
				"Channel 7 (model gpt-x) stopped serving (breaker open): 503: overloaded",
			],
			[{ id: "c2", at: alert.at, type: "channel.recovered", channel_id: 7, state: "closed", reason: null }, "Channel 7 recovered"],
			[
				{ id: "b2", at: alert.at, type: "budget.exhausted", scope: "user", scope_id: "3", period: "daily", percent: 100, limit_usd: 5, spent_usd: 5 },
				"Budget exhausted: user 3 spent $5.00 of $5.00 (daily)",
			],
			[
				{ id: "j1", at: alert.at, type: "job.dead", queue: "usage", dead_job_id: 12, message_id: "m-1", attempts: 5, error: "exhausted its retries" },
				"Dead job 12 on queue usage after 5 attempts: exhausted its retries",
			],
		];
		for (const [event, line] of events) {
			const req = await deliver("dingtalk", event);
			expect(req.body).toEqual({ msgtype: "text", text: { content: line } });
		}
	});
});
