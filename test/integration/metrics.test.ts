import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { flushMetrics } from "../../src/observability/metrics-flush";
import { countRecord } from "../../src/relay/llm-metrics";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, chat, createKey, readSse, scenario, uid, upstream, usageRow } from "../support/gateway";
import { usageRecord } from "../support/usage-records";

/** /metrics as a scraper reads it: `series -> value`, the comments checked for shape. */
async function scrape(token = TEST_ADMIN_TOKEN): Promise<Map<string, number>> {
	const res = await call("/metrics", { headers: { authorization: `Bearer ${token}` } });
	expect(res.status).toBe(200);
	expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
	const series = new Map<string, number>();
	for (const line of (await res.text()).split("\n")) {
		if (line === "") continue;
		if (line.startsWith("#")) {
			expect(line).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/);
			continue;
		}
		const m = /^([a-z_]+\{.*\}) (\S+)$/.exec(line);
		if (!m?.[1] || !m[2]) throw new Error(`not a sample line: ${line}`);
		series.set(m[1], Number(m[2]));
	}
	return series;
}

/** The sum of the series of `name` whose labels include every one of `labels`. */
function total(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
	let sum = 0;
	for (const [key, value] of series) {
		if (!key.startsWith(`${name}{`)) continue;
		if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
	}
	return sum;
}

describe("GET /metrics", () => {
	it("counts N requests of a model N times, as its usage rows do, with tokens, cost and failovers", async () => {
		const { model, key, channels } = await scenario([
			{ base_url: upstream("metrics-down", "status-500"), priority: 10 },
			{ base_url: upstream("metrics-ok", "ok"), priority: 0 },
		]);
		const before = await scrape();
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) {
			const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
			expect(res.status).toBe(200);
			ids.push(res.headers.get("x-request-id") ?? "");
		}
		const stream = await chat(key, { model, stream: true, messages: [{ role: "user", content: "hi" }] });
		ids.push(stream.headers.get("x-request-id") ?? "");
		await readSse(stream);
		const rows = await Promise.all(ids.map((id) => usageRow(id)));
		const after = await scrape();

		const served = { model, channel: String(channels[1]?.id) };
		expect(total(after, "llm_requests_total", { model }) - total(before, "llm_requests_total", { model })).toBe(rows.length);
		expect(total(after, "llm_requests_total", { ...served, status: "200", provider: "openai" })).toBe(4);
		const tokens = (type: string) => total(after, "llm_tokens_total", { model, type });
		expect(tokens("input")).toBe(rows.reduce((n, r) => n + Number(r.prompt_tokens), 0));
		expect(tokens("output")).toBe(rows.reduce((n, r) => n + Number(r.completion_tokens), 0));
		// Every request went to the second channel after the first answered 500.
		expect(total(after, "llm_failovers_total", { model })).toBe(4);
		expect(total(after, "llm_request_duration_seconds_count", { model })).toBe(4);
		expect(total(after, "llm_request_duration_seconds_bucket", { model, le: "+Inf" })).toBe(4);
		expect(total(after, "llm_time_to_first_token_seconds_count", { model })).toBe(4);
		expect(
			total(after, "http_requests_total", { route: "/v1/chat/completions", method: "POST", status: "200" }) -
				total(before, "http_requests_total", { route: "/v1/chat/completions", method: "POST", status: "200" }),
		).toBeGreaterThanOrEqual(4);
		expect(total(after, "llm_breaker_state", { channel: String(channels[0]?.id), model: "" })).toBeGreaterThanOrEqual(0);
	});

	it("counts a governor's refusal by its reason, and a request no channel served without its model", async () => {
		const { model } = await scenario([{ base_url: upstream("metrics-rpm", "ok") }]);
		const { key } = await createKey({ rpm: 1 });
		const before = await scrape();
		expect((await chat(key, { model, messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
		expect((await chat(key, { model, messages: [{ role: "user", content: "hi" }] })).status).toBe(429);
		const after = await scrape();
		expect(total(after, "governor_refusals_total", { reason: "requests" }) - total(before, "governor_refusals_total", { reason: "requests" })).toBe(1);
		expect(total(after, "llm_requests_total", { model: "", status: "429" }) - total(before, "llm_requests_total", { model: "", status: "429" })).toBe(1);
		// The client's model name is not a label until a channel served it.
		expect([...after.keys()].some((k) => k.startsWith("llm_requests_total") && k.includes(model) && k.includes('status="429"'))).toBe(false);
	});

	it("counts what response-cache hits saved by model, and nothing for an answer an upstream gave", async () => {
		const model = `cached-${uid()}`;
		countRecord(usageRecord({ model, channel_id: 3, cache_hit: "exact", saved_nusd: 1_500, cost_nusd: 0 }), undefined, "openai", false);
		// A hit needs no channel: the answer was stored, not fetched.
		countRecord(usageRecord({ model, channel_id: null, cache_hit: "semantic", saved_nusd: 500 }), undefined, null, false);
		countRecord(usageRecord({ model, channel_id: 3, cost_nusd: 9_000 }), undefined, "openai", false);
		// Counted in this test's isolate: sent to the aggregator as the relay's own flush would.
		await flushMetrics(env);
		const series = await scrape();
		expect(total(series, "response_cache_saved_nusd_total", { model })).toBe(2_000);
		expect(series.has(`response_cache_saved_nusd_total{model="${model}"}`)).toBe(true);
	});

	it("labels an unknown path as unmatched, never by its path", async () => {
		const path = `/v1/nothing-${crypto.randomUUID()}`;
		expect((await call(path)).status).toBe(404);
		const after = await scrape();
		expect([...after.keys()].some((k) => k.includes(path))).toBe(false);
		expect(total(after, "http_requests_total", { route: "unmatched", status: "404" })).toBeGreaterThan(0);
	});

	it("answers only the admin token or METRICS_TOKEN, in OpenAI's error format", async () => {
		const none = await call("/metrics");
		expect(none.status).toBe(401);
		expect(await none.json()).toMatchObject({ error: { code: "unauthorized" } });
		expect((await call("/metrics", { headers: { authorization: "Bearer sk-not-a-token" } })).status).toBe(401);
		const worker = (await import("../../src/index")).default;
		const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
		const scraperEnv = { ...env, METRICS_TOKEN: "scrape-0123456789" } as Env;
		const res = await worker.fetch(new Request("http://gateway.test/metrics", { headers: { authorization: "Bearer scrape-0123456789" } }), scraperEnv, ctx);
		expect(res.status).toBe(200);
		expect(await res.text()).toContain("# TYPE llm_requests_total counter");
	});
});
