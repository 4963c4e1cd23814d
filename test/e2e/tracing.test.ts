// Tracing under wrangler dev: a request that fails over from one channel to another yields spans at a loopback OTLP
// collector (the mock upstream's, OTEL_EXPORTER_OTLP_ENDPOINT set by gateway-global.ts) under one trace id, the one
// each upstream saw in its `traceparent`; a client that sends its own traceparent gets its trace continued.
import OpenAI from "openai";
import { expect, inject, it } from "vitest";
import type { LoggedRequest } from "../support/mock-upstream";
import { adminApi } from "./admin-api";

interface OtlpSpan {
	traceId: string;
	spanId: string;
	parentSpanId?: string;
	name: string;
	kind: number;
	attributes: { key: string; value: Record<string, unknown> }[];
}

async function logged(tag: string): Promise<LoggedRequest[]> {
	return (await fetch(`${inject("upstreamUrl")}/__requests?tag=${tag}`)).json() as Promise<LoggedRequest[]>;
}

/** The spans of one trace the collector received; the export follows the response, so it is waited for. */
async function spansOf(traceId: string, until: (spans: OtlpSpan[]) => boolean): Promise<OtlpSpan[]> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const posts = await logged("otlp");
		const spans = posts
			.flatMap((p) => (p.body as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans)
			.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
			.filter((s) => s.traceId === traceId);
		if (until(spans) || Date.now() > deadline) return spans;
		await new Promise((r) => setTimeout(r, 200));
	}
}

const attr = (span: OtlpSpan | undefined, key: string) => {
	const value = span?.attributes.find((a) => a.key === key)?.value;
	return value === undefined ? undefined : Object.values(value)[0];
};

async function failingThenHealthy(): Promise<{ model: string; key: string; bad: string; good: string }> {
	const model = `trace-e2e-${crypto.randomUUID().slice(0, 8)}`;
	const [bad, good] = [`${model}-bad`, `${model}-good`];
	const channel = (tag: string, scenario: string, priority: number) =>
		adminApi("POST", "/api/channels", {
			name: tag,
			type: "openai",
			base_url: `${inject("upstreamUrl")}/${tag}/${scenario}/v1`,
			key: "sk-e2e",
			models: [model],
			priority,
		});
	await channel(bad, "status-500", 2);
	await channel(good, "ok", 1);
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: model });
	return { model, key, bad, good };
}

const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

it("a request with a failover is one trace at the collector, the one both upstreams saw in traceparent", async () => {
	const { model, key, bad, good } = await failingThenHealthy();
	const res = await fetch(`${inject("gatewayUrl")}/v1/chat/completions`, {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
	});
	expect(res.status).toBe(200);
	expect(res.headers.get("x-gateway-attempts")).toBe("2");

	const [toBad] = await logged(bad);
	const [toGood] = await logged(good);
	const [, traceId = "", badParent] = TRACEPARENT.exec(toBad?.headers.traceparent ?? "") ?? [];
	const [, goodTrace, goodParent] = TRACEPARENT.exec(toGood?.headers.traceparent ?? "") ?? [];
	expect(traceId).not.toBe("");
	expect(goodTrace).toBe(traceId);

	const spans = await spansOf(traceId, (s) => s.some((x) => x.kind === 2));
	const server = spans.find((s) => s.kind === 2);
	expect(server?.name).toBe("POST /v1/chat/completions");
	const attempts = spans.filter((s) => s.name === "upstream chat");
	expect(attempts.map((s) => s.spanId).sort()).toEqual([badParent, goodParent].sort());
	expect(attempts.every((s) => s.parentSpanId === server?.spanId)).toBe(true);
	expect(
		attr(
			attempts.find((s) => s.spanId === goodParent),
			"gateway.failover",
		),
	).toBe(true);
	expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(["authenticate", "admission"]));
});

it("the openai SDK's own traceparent is continued, through a failover and the stream that follows", async () => {
	const { model, key, good } = await failingThenHealthy();
	const traceId = crypto.randomUUID().replaceAll("-", "");
	const clientSpan = "00f067aa0ba902b7";
	const sdk = new OpenAI({
		apiKey: key,
		baseURL: `${inject("gatewayUrl")}/v1`,
		maxRetries: 0,
		defaultHeaders: { traceparent: `00-${traceId}-${clientSpan}-01` },
	});
	const stream = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true });
	let text = "";
	for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
	expect(text).toBe("Hi there, from the upstream.");

	const [toGood] = await logged(good);
	expect(toGood?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[\\da-f]{16}-01$`));
	const spans = await spansOf(traceId, (s) => s.some((x) => x.name === "stream"));
	const server = spans.find((s) => s.kind === 2);
	expect(server?.parentSpanId).toBe(clientSpan);
	expect(
		attr(
			spans.find((s) => s.name === "stream"),
			"gateway.stream.end",
		),
	).toBe("complete");
	expect(spans.filter((s) => s.name === "upstream chat")).toHaveLength(2);
});
