// A channel failing under `wrangler dev`: the breaker of the failing model on it opens, the traffic moves, and the
// operator's webhook hears of it through the notification queue.
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import type { LoggedRequest } from "../support/mock-upstream";
import { adminApi } from "./admin-api";

const upstreamUrl = inject("upstreamUrl");

async function webhooks(): Promise<Notification[]> {
	const log = (await (await fetch(`${upstreamUrl}/__requests?tag=webhooks`)).json()) as LoggedRequest[];
	return log.map((r) => r.body as unknown as Notification);
}

describe("a failing channel under wrangler dev", () => {
	it("opens the model's breaker on it, keeps clients served by the healthy channel, and notifies the webhook", async () => {
		const model = `e2e-breaker-${Date.now()}`;
		const failing = await adminApi<{ id: number }>("POST", "/api/channels", {
			name: `e2e-failing-${model}`,
			type: "openai",
			base_url: `${upstreamUrl}/e2e-breaker/status-503/v1`,
			key: "sk-e2e-failing",
			models: [model],
			priority: 10,
			settings: { breaker: { consecutiveFailures: 2, probeIntervalMs: 0 } },
		});
		await adminApi("POST", "/api/channels", {
			name: `e2e-healthy-${model}`,
			type: "openai",
			base_url: `${upstreamUrl}/e2e-breaker/ok/v1`,
			key: "sk-e2e-ok",
			models: [model],
		});
		const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-breaker" });
		const sdk = new OpenAI({ apiKey: key, baseURL: `${inject("gatewayUrl")}/v1`, maxRetries: 0 });

		for (let i = 0; i < 4; i++) {
			const completion = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
			expect(completion.choices[0]?.message.content).toBeTruthy();
		}
		type Health = { state: string; models: { model: string; state: string; opened_by: string | null }[] };
		const deadline = Date.now() + 15_000;
		let health = await adminApi<Health>("GET", `/api/channels/${failing.id}/health`);
		let events: Notification[] = [];
		const modelState = () => health.models.find((m) => m.model === model);
		while (Date.now() < deadline) {
			health = await adminApi<Health>("GET", `/api/channels/${failing.id}/health`);
			events = (await webhooks()).filter((e) => "channel_id" in e && e.channel_id === failing.id);
			if (modelState()?.state === "open" && events.length > 0) break;
			await new Promise((r) => setTimeout(r, 200));
		}
		// A 503 concerns the model: the channel itself (its host, its key) stays closed for the models it still serves.
		expect(health.state).toBe("closed");
		expect(modelState()).toMatchObject({ state: "open", opened_by: "failures" });
		expect(events).toEqual([
			expect.objectContaining({ type: "channel.opened", channel_id: failing.id, model, state: "open", reason: expect.stringContaining("503") }),
		]);
	});
});
