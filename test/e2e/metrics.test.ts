// A scripted run of mixed traffic against `wrangler dev` with the real openai and Anthropic clients (answers,
// streams, embeddings, a failover, a client error, a refusal), then /metrics read as Prometheus reads it: parsed by a
// Prometheus text parser, its counters matching the usage rows the same traffic left.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { readChatStream } from "./chat-stream";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");
const model = `metrics-e2e-${crypto.randomUUID().slice(0, 8)}`;

interface UsageItem {
	request_id: string;
	status: number;
	prompt_tokens: number;
	completion_tokens: number;
	cost_usd: number;
	channel_id: number | null;
}

let openai: OpenAI;
let anthropic: Anthropic;
let okChannel: number;

async function scrape() {
	const res = await fetch(`${gateway}/metrics`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
	expect(res.status).toBe(200);
	const text = await res.text();
	return { families: parsePrometheusTextFormat(text), text };
}

type Families = Awaited<ReturnType<typeof scrape>>["families"];

/**
 * A histogram's `_count` over the series whose labels include `labels`, read from the text: the parser keeps no
 * labels of a histogram's series (it merges them into one sample).
 */
function histogramCount(text: string, name: string, labels: Record<string, string>): number {
	return text
		.split("\n")
		.filter((line) => line.startsWith(`${name}_count{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
		.reduce((n, line) => n + Number(line.split(" ").at(-1)), 0);
}

/** The sum of a counter's samples whose labels include `labels`. */
function sum(families: Families, name: string, labels: Record<string, string>): number {
	const family = families.find((f) => f.name === name);
	return (family?.metrics ?? [])
		.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
		.reduce((n, m) => n + Number(m.value ?? m.count ?? 0), 0);
}

async function usageRows(expected: number): Promise<UsageItem[]> {
	for (;;) {
		const page = await adminApi<{ data: UsageItem[] }>("GET", `/api/usage?model=${model}&limit=100`);
		if (page.data.length >= expected) return page.data;
		await new Promise((r) => setTimeout(r, 250));
	}
}

beforeAll(async () => {
	await adminApi("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 2, output_usd_per_mtok: 8 });
	// The first channel answers 500 to everything, so that each request fails over to the second.
	await adminApi("POST", "/api/channels", {
		name: `${model}-down`,
		type: "openai",
		base_url: `${upstreamUrl}/e2e-metrics/status-500/v1`,
		key: "sk-e2e-metrics-down-0001",
		models: [model],
		priority: 10,
	});
	({ id: okChannel } = await adminApi<{ id: number }>("POST", "/api/channels", {
		name: `${model}-ok`,
		type: "openai",
		base_url: `${upstreamUrl}/e2e-metrics/ok/v1`,
		key: "sk-e2e-metrics-ok-0001",
		models: [model],
	}));
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-metrics" });
	openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
	anthropic = new Anthropic({ apiKey: key, baseURL: gateway, maxRetries: 0 });
});

describe("/metrics after a run of mixed traffic", () => {
	it("parses as Prometheus text, and its counters match the usage rows", async () => {
		const { families: before, text: beforeText } = await scrape();
		const messages = [{ role: "user" as const, content: "hi" }];
		await openai.chat.completions.create({ model, messages });
		await openai.chat.completions.create({ model, messages });
		await readChatStream(await openai.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } }));
		await anthropic.messages.create({ model, max_tokens: 64, messages });
		await openai.embeddings.create({ model, input: "hello" });
		// A client error the gateway refuses itself: a usage row without a channel (nor, here, a model).
		await expect(openai.chat.completions.create({ model, messages: [] })).rejects.toThrow();
		const rows = await usageRows(5);

		const scraped = await scrape();
		const after = scraped.families;
		for (const f of after) expect(f.type).toMatch(/^(COUNTER|GAUGE|HISTOGRAM)$/);
		const served = rows.filter((r) => r.channel_id !== null);
		expect(served).toHaveLength(5);
		const delta = (name: string, labels: Record<string, string>) => sum(after, name, labels) - sum(before, name, labels);
		expect(delta("llm_requests_total", { model })).toBe(served.length);
		expect(delta("llm_requests_total", { model, channel: String(okChannel), status: "200" })).toBe(5);
		expect(delta("llm_tokens_total", { model, type: "input" })).toBe(served.reduce((n, r) => n + r.prompt_tokens, 0));
		expect(delta("llm_tokens_total", { model, type: "output" })).toBe(served.reduce((n, r) => n + r.completion_tokens, 0));
		expect(delta("llm_cost_usd_total", { model })).toBeCloseTo(
			served.reduce((n, r) => n + r.cost_usd, 0),
			9,
		);
		expect(delta("llm_failovers_total", { model })).toBe(5);
		const durations = (text: string) => histogramCount(text, "llm_request_duration_seconds", { model });
		expect(durations(scraped.text) - durations(beforeText)).toBe(5);
		expect(after.find((f) => f.name === "llm_request_duration_seconds")?.type).toBe("HISTOGRAM");
		expect(delta("http_requests_total", { route: "/v1/messages", method: "POST", status: "200" })).toBeGreaterThanOrEqual(1);
		// The refused request is counted, without the client's model as a label.
		expect(delta("llm_requests_total", { model: "", status: "400" })).toBeGreaterThanOrEqual(1);
		const breakers = after.find((f) => f.name === "llm_breaker_state");
		expect(breakers?.metrics.some((m) => m.labels?.channel === String(okChannel))).toBe(true);
	});
});
