import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { MEMORY_QUEUE } from "../../queues/memory-message";
import worker from "../../src";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, chat, createChannel, scenario, uid, upstream, upstreamLog } from "../support/gateway";
import { newOwner, token } from "../support/mem0-api";

interface OtlpSpan {
	traceId: string;
	spanId: string;
	parentSpanId?: string;
	name: string;
	kind: number;
	attributes: { key: string; value: Record<string, unknown> }[];
	status: { code: number; message?: string };
}

const CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";

const tracedEnv = (collector: string) =>
	({
		...env,
		OTEL_EXPORTER_OTLP_ENDPOINT: `${inject("upstreamUrl")}/${collector}/otlp`,
		OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20collector-secret",
		OTEL_SERVICE_NAME: "gw-test",
	}) as unknown as Env;

/** A request through the Worker with a collector configured, its export (after the response) awaited. */
async function tracedCall(collector: string, path: string, init: RequestInit): Promise<{ res: Response; body: string }> {
	const ctx = createExecutionContext();
	const res = await worker.fetch(new Request(`http://gateway.test${path}`, init), tracedEnv(collector), ctx);
	const body = await res.text();
	await waitOnExecutionContext(ctx);
	return { res, body };
}

async function exported(collector: string): Promise<{ services: unknown[]; spans: OtlpSpan[] }> {
	const posts = await upstreamLog(collector);
	const resources = posts.flatMap(
		(p) => (p.body as { resourceSpans: { resource: { attributes: unknown[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans,
	);
	return { services: resources.map((r) => r.resource.attributes), spans: resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)) };
}

const attr = (span: OtlpSpan | undefined, key: string) => {
	const value = span?.attributes.find((a) => a.key === key)?.value;
	return value === undefined ? undefined : Object.values(value)[0];
};

const chatInit = (key: string, model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): RequestInit => ({
	method: "POST",
	headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
	body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra }),
});

describe("tracing", () => {
	it("exports one request's spans, with a failover, under the client's trace id that both upstreams saw as their parent", async () => {
		const [bad, good, collector] = [uid(), uid(), uid()];
		const { model, key } = await scenario([
			{ base_url: upstream(bad, "status-500"), priority: 10 },
			{ base_url: upstream(good, "ok"), priority: 0 },
		]);
		const { res } = await tracedCall(
			collector,
			"/v1/chat/completions",
			chatInit(key, model, {}, { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: "vendor=abc" }),
		);
		expect(res.status).toBe(200);

		const { services, spans } = await exported(collector);
		expect(services).toEqual([[{ key: "service.name", value: { stringValue: "gw-test" } }]]);
		// One export, with the collector's own headers (OTEL_EXPORTER_OTLP_HEADERS, URL-decoded).
		expect((await upstreamLog(collector)).map((p) => p.authorization)).toEqual(["Bearer collector-secret"]);
		expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([CLIENT_TRACE]));
		const server = spans.find((s) => s.kind === 2);
		expect(server).toMatchObject({ name: "POST /v1/chat/completions", parentSpanId: CLIENT_SPAN, status: { code: 1 } });
		expect(attr(server, "http.response.status_code")).toBe("200");
		const children = spans.filter((s) => s.parentSpanId === server?.spanId).map((s) => s.name);
		expect(children).toEqual(expect.arrayContaining(["authenticate", "admission", "upstream chat"]));

		const attempts = spans.filter((s) => s.name === "upstream chat").sort((a, b) => Number(attr(a, "gateway.attempt")) - Number(attr(b, "gateway.attempt")));
		expect(attempts.map((s) => [s.kind, s.parentSpanId, attr(s, "gateway.attempt"), attr(s, "gateway.failover"), s.status])).toEqual([
			[3, server?.spanId, "1", false, { code: 2, message: "status 500" }],
			[3, server?.spanId, "2", true, { code: 1 }],
		]);
		expect(attr(attempts[0], "gen_ai.request.model")).toBe(model);
		// Each upstream saw its own attempt's span as its parent, in the client's trace, with the client's vendor state.
		const [toBad] = await upstreamLog(bad);
		const [toGood] = await upstreamLog(good);
		expect(toBad?.headers.traceparent).toBe(`00-${CLIENT_TRACE}-${attempts[0]?.spanId}-01`);
		expect(toGood?.headers.traceparent).toBe(`00-${CLIENT_TRACE}-${attempts[1]?.spanId}-01`);
		expect(toGood?.headers.tracestate).toBe("vendor=abc");
	});

	it("exports a streamed answer once the stream has ended, with its stream span", async () => {
		const [up, collector] = [uid(), uid()];
		const { model, key } = await scenario([{ base_url: upstream(up, "ok") }]);
		const { res, body } = await tracedCall(collector, "/v1/chat/completions", chatInit(key, model, { stream: true }));
		expect(res.status).toBe(200);
		expect(body).toContain("[DONE]");

		const posts = await upstreamLog(collector);
		expect(posts).toHaveLength(1);
		const { spans } = await exported(collector);
		const server = spans.find((s) => s.kind === 2);
		const stream = spans.find((s) => s.name === "stream");
		expect(stream?.parentSpanId).toBe(server?.spanId);
		expect(attr(stream, "gateway.stream.end")).toBe("complete");
		// A trace the gateway started: a fresh id, which the upstream saw too.
		expect(server?.parentSpanId).toBeUndefined();
		const [sent] = await upstreamLog(up);
		expect(sent?.headers.traceparent).toMatch(new RegExp(`^00-${server?.traceId}-[\\da-f]{16}-01$`));
	});

	it("shows a stream continued on another channel: the continuation's attempt, and one stream span to the end", async () => {
		const [dies, continues, collector] = [uid(), uid(), uid()];
		const { model, key } = await scenario([
			{ base_url: upstream(dies, "story-cut-20"), priority: 10 },
			{ base_url: upstream(continues, "story"), priority: 0 },
		]);
		const { res } = await tracedCall(collector, "/v1/chat/completions", chatInit(key, model, { stream: true }));
		expect(res.status).toBe(200);
		const { spans } = await exported(collector);
		const attempts = spans.filter((s) => s.name === "upstream chat");
		expect(attempts.map((s) => [attr(s, "gateway.attempt"), attr(s, "gateway.continuation")])).toEqual([
			["1", false],
			["2", true],
		]);
		const [, continued] = await Promise.all([upstreamLog(dies), upstreamLog(continues)]);
		expect(continued[0]?.headers.traceparent).toBe(`00-${attempts[1]?.traceId}-${attempts[1]?.spanId}-01`);
		const streams = spans.filter((s) => s.name === "stream");
		expect(streams.map((s) => attr(s, "gateway.stream.end"))).toEqual(["complete"]);
	});

	it("marks a refused request's spans failed, and starts a new trace for a malformed traceparent", async () => {
		const collector = uid();
		const { res } = await tracedCall(
			collector,
			"/v1/chat/completions",
			chatInit("sk-not-a-key", "m", {}, { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-1` }),
		);
		expect(res.status).toBe(401);
		const { spans } = await exported(collector);
		expect(spans.map((s) => s.traceId).every((id) => id !== CLIENT_TRACE)).toBe(true);
		expect(spans.find((s) => s.name === "authenticate")?.status).toEqual({ code: 2, message: "invalid_api_key" });
	});

	it("without a collector exports nothing, and still passes the client's trace on to the upstream", async () => {
		const up = uid();
		const { model, key } = await scenario([{ base_url: upstream(up, "ok") }]);
		const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] }, { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` });
		expect(res.status).toBe(200);
		const [sent] = await upstreamLog(up);
		expect(sent?.headers.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-(?!${CLIENT_SPAN})[\\da-f]{16}-00$`));
	});

	it("passes the operator's trace on to a channel test's request", async () => {
		const up = uid();
		const { channels } = await scenario([{ base_url: upstream(up, "ok") }]);
		const res = await call(`/api/channels/${channels[0]?.id}/test`, {
			method: "POST",
			headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
		});
		expect(res.status).toBe(200);
		const [sent] = await upstreamLog(up);
		expect(sent?.headers.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[\\da-f]{16}-01$`));
	});

	it("puts a vector store search under the request's span as retrieval", async () => {
		const collector = uid();
		const { key } = await newOwner();
		const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
		const store = await (await call("/v1/vector_stores", { method: "POST", headers, body: JSON.stringify({ name: "empty" }) })).json<{ id: string }>();
		const { res } = await tracedCall(collector, `/v1/vector_stores/${store.id}/search`, {
			method: "POST",
			headers,
			body: JSON.stringify({ query: "breakers" }),
		});
		expect(res.status).toBe(200);
		const { spans } = await exported(collector);
		const server = spans.find((s) => s.kind === 2);
		expect(server?.name).toBe("POST /v1/vector_stores/:vector_store_id/search");
		const retrieval = spans.find((s) => s.name === "retrieval");
		expect(retrieval?.parentSpanId).toBe(server?.spanId);
		expect(attr(retrieval, "gateway.retrieval.hits")).toBe("0");
	});

	it("puts a memory search and its query embedding under the request's span", async () => {
		const collector = uid();
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		const { key } = await newOwner();
		const { res } = await tracedCall(collector, "/mem0/v3/memories/search/", {
			method: "POST",
			headers: token(key),
			body: JSON.stringify({ query: "peanuts", filters: { user_id: "alice" } }),
		});
		expect(res.status).toBe(200);
		const { spans } = await exported(collector);
		const server = spans.find((s) => s.kind === 2);
		expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(["POST /mem0/v3/memories/search/", "memory search", "upstream embeddings"]));
		const search = spans.find((s) => s.name === "memory search");
		expect(search?.parentSpanId).toBe(server?.spanId);
		expect(spans.find((s) => s.name === "upstream embeddings")?.parentSpanId).toBe(search?.spanId);
	});

	it("gives each queue message a consumer span in the trace of the request that queued it; a message without one starts its own", async () => {
		const collector = uid();
		const message = (eventId: string, traceparent?: string) => ({
			event_id: eventId,
			owner_id: 1,
			key_id: 1,
			messages: [{ role: "user", content: "hi" }],
			entities: { user_id: "u" },
			metadata: null,
			...(traceparent === undefined ? {} : { traceparent }),
		});
		// Events nobody recorded: the consumer has nothing to do, and acknowledges them.
		const batch = createMessageBatch(MEMORY_QUEUE, [
			{ id: "m1", timestamp: new Date(), attempts: 1, body: message(`ev-${uid()}`, `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`) },
			{ id: "m2", timestamp: new Date(), attempts: 1, body: message(`ev-${uid()}`) },
		]);
		const ctx = createExecutionContext();
		await worker.queue(batch, tracedEnv(collector), ctx);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m1", "m2"]);

		const { spans } = await exported(collector);
		expect(spans.map((s) => [s.name, s.kind])).toEqual([
			[`process ${MEMORY_QUEUE}`, 5],
			[`process ${MEMORY_QUEUE}`, 5],
		]);
		const [linked, fresh] = spans;
		expect(linked).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN });
		expect(fresh?.traceId).not.toBe(CLIENT_TRACE);
		expect(fresh?.parentSpanId).toBeUndefined();
	});
});
