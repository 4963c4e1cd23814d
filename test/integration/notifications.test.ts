import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import { uid, upstreamLog } from "../support/gateway";

const event = (channelId: number): Notification => ({
	id: uid(),
	type: "channel.opened",
	channel_id: channelId,
	state: "open",
	reason: "503: overloaded",
	at: new Date().toISOString(),
});

async function deliver(url: string, body: unknown) {
	const batch = createMessageBatch("edge-gateway-notify", [{ id: "n1", timestamp: new Date(), attempts: 1, body }]);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ALERT_WEBHOOK_URL: url } as unknown as Env, ctx);
	return getQueueResult(batch, ctx);
}

describe("operator notifications", () => {
	it("are POSTed to the webhook as JSON and acknowledged on a 2xx", async () => {
		const tag = uid();
		const sent = event(7);
		const result = await deliver(`${inject("upstreamUrl")}/${tag}/fixture/openai/text/hook`, sent);
		expect(result.explicitAcks).toEqual(["n1"]);
		const [received] = await upstreamLog(tag);
		expect(received?.body).toEqual(sent);
	});

	it("are retried later when the webhook fails", async () => {
		const tag = uid();
		const result = await deliver(`${inject("upstreamUrl")}/${tag}/status-500/v1/chat/completions`, event(8));
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["n1"]);
		expect((await upstreamLog(tag)).length).toBe(1);
	});
});
