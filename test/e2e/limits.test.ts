// Key limits under `wrangler dev`, as the real SDKs see them: OpenAI's and Anthropic's rate-limit errors and
// headers, a 402 when a budget is spent, and the budget alerts on the operator's webhook.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import type { LoggedRequest } from "../support/mock-upstream";
import { adminApi } from "./admin-api";

const upstreamUrl = inject("upstreamUrl");
const gatewayUrl = inject("gatewayUrl");

async function channelFor(model: string) {
	await adminApi("POST", "/api/channels", {
		name: `e2e-${model}`,
		type: "openai",
		base_url: `${upstreamUrl}/e2e-limits/ok/v1`,
		key: "sk-e2e",
		models: [model],
	});
}

/** Waits until no request of the key holds anything: each settles after its answer, through waitUntil. */
async function settled(tokenId: number) {
	for (let i = 0; i < 100; i++) {
		if ((await adminApi<{ in_flight: number }>("GET", `/api/tokens/${tokenId}/limits`)).in_flight === 0) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error("requests still in flight");
}

describe("key limits under wrangler dev", () => {
	it("the openai SDK gets a RateLimitError with the x-ratelimit-* headers once the key's RPM is used", async () => {
		const model = `e2e-rpm-${Date.now()}`;
		await channelFor(model);
		const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-rpm", rpm: 2 });
		const sdk = new OpenAI({ apiKey: key, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
		const hi = { model, messages: [{ role: "user" as const, content: "hi" }] };
		const { response } = await sdk.chat.completions.create(hi).withResponse();
		expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
		expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("1");
		await sdk.chat.completions.create(hi);
		const error = await sdk.chat.completions.create(hi).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(OpenAI.RateLimitError);
		const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
		expect(limited.code).toBe("rate_limit_exceeded");
		expect(limited.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
		expect(Number(limited.headers?.get("retry-after"))).toBeGreaterThan(0);
	});

	it("the Anthropic SDK gets a RateLimitError with anthropic-ratelimit-* headers", async () => {
		const model = `e2e-rpm-anthropic-${Date.now()}`;
		await channelFor(model);
		const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-rpm-anthropic", rpm: 1 });
		const sdk = new Anthropic({ apiKey: key, baseURL: gatewayUrl, maxRetries: 0 });
		const hi = { model, max_tokens: 32, messages: [{ role: "user" as const, content: "hi" }] };
		await sdk.messages.create(hi);
		const error = await sdk.messages.create(hi).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Anthropic.RateLimitError);
		const limited = error as InstanceType<typeof Anthropic.RateLimitError>;
		expect(limited.headers?.get("anthropic-ratelimit-requests-remaining")).toBe("0");
		expect(limited.headers?.get("anthropic-ratelimit-requests-limit")).toBe("1");
	});

	it("serves a $0.20 budget on a $1000-per-million-token model with capped answers until it is spent, then 402", async () => {
		const model = `e2e-capped-${Date.now()}`;
		await channelFor(model);
		// Each answer of the mock (11 prompt, 7 completion tokens) costs $0.018.
		await adminApi("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1_000, output_usd_per_mtok: 1_000 });
		const token = await adminApi<{ id: number; key: string }>("POST", "/api/tokens", { name: "e2e-capped", budget_daily_usd: 0.2 });
		const anthropic = new Anthropic({ apiKey: token.key, baseURL: gatewayUrl, maxRetries: 0 });
		const first = await anthropic.messages.create({ model, max_tokens: 4_096, messages: [{ role: "user", content: "hi" }] }).withResponse();
		expect(first.data.usage.output_tokens).toBe(7);
		expect(Number(first.response.headers.get("x-gateway-max-tokens-capped"))).toBeLessThan(200);
		await settled(token.id);

		const sdk = new OpenAI({ apiKey: token.key, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
		let served = 1;
		let refusal: unknown;
		for (let i = 0; i < 20 && !refusal; i++) {
			try {
				const { response } = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();
				expect(Number(response.headers.get("x-gateway-max-tokens-capped"))).toBeGreaterThanOrEqual(16);
				served++;
				await settled(token.id);
			} catch (e) {
				refusal = e;
			}
		}
		expect(served).toBeGreaterThanOrEqual(5);
		expect(refusal).toBeInstanceOf(OpenAI.APIError);
		expect(refusal).toMatchObject({ status: 402, code: "insufficient_quota" });
		const spent = await adminApi<{ spent_usd: { daily: number }; held_usd: number }>("GET", `/api/tokens/${token.id}/limits`);
		expect(spent.spent_usd.daily).toBeLessThanOrEqual(0.2);
	});

	it("refuses with 402 when the budget is spent, and the webhook hears of 80% and of the refusal", async () => {
		const model = `e2e-budget-${Date.now()}`;
		await channelFor(model);
		// The mock's usage (11 prompt, 7 completion tokens) costs $0.000018 at $1 per million tokens either way.
		await adminApi("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
		const token = await adminApi<{ id: number; key: string }>("POST", "/api/tokens", { name: "e2e-budget", budget_daily_usd: 0.0001 });
		const sdk = new OpenAI({ apiKey: token.key, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
		let served = 0;
		let refusal: unknown;
		for (let i = 0; i < 10 && !refusal; i++) {
			try {
				await sdk.chat.completions.create({ model, max_tokens: 7, messages: [{ role: "user", content: "hi" }] });
				served++;
			} catch (e) {
				refusal = e;
			}
		}
		expect(served).toBeGreaterThanOrEqual(4);
		expect(refusal).toBeInstanceOf(OpenAI.APIError);
		expect(refusal).toMatchObject({ status: 402, code: "insufficient_quota" });

		const mine = (n: Notification) => "scope" in n && n.scope === "token" && n.scope_id === String(token.id);
		const deadline = Date.now() + 15_000;
		let events: Notification[] = [];
		while (Date.now() < deadline) {
			const log = (await (await fetch(`${upstreamUrl}/__requests?tag=webhooks`)).json()) as LoggedRequest[];
			events = log.map((r) => r.body as unknown as Notification).filter(mine);
			if (events.length >= 2) break;
			await new Promise((r) => setTimeout(r, 200));
		}
		expect(events).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ type: "budget.threshold", period: "daily", percent: 80, limit_usd: 0.0001 }),
				expect.objectContaining({ type: "budget.exhausted", period: "daily" }),
			]),
		);
	});
});
