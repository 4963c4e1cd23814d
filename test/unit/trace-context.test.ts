import { describe, expect, it } from "vitest";
import { otlpBody } from "../../src/observability/otlp-export";
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, parseTracestate } from "../../src/observability/trace-context";
import { startTrace } from "../../src/observability/tracer";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";

describe("traceparent", () => {
	it("reads a valid header, sampled or not, and writes it back the same", () => {
		expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
		expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
		expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, sampled: true })).toBe(`00-${TRACE}-${SPAN}-01`);
		// A later version may append fields; what this version knows is still read.
		expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId).toBe(TRACE);
	});

	it.each([
		["empty", ""],
		["garbage", "hello"],
		["upper case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
		["a short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
		["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
		["an all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
		["the forbidden version ff", `ff-${TRACE}-${SPAN}-01`],
		["version 00 with extra fields", `00-${TRACE}-${SPAN}-01-extra`],
		["a missing flags field", `00-${TRACE}-${SPAN}`],
	])("ignores %s, so the gateway starts a trace of its own", (_, header) => {
		expect(parseTraceparent(header)).toBeUndefined();
		const trace = startTrace(undefined, "GET", { parent: parseTraceparent(header), kind: "server", waitUntil: () => {} });
		expect(trace.traceId).toMatch(/^[\da-f]{32}$/);
		expect(trace.traceId).not.toBe(TRACE);
	});

	it("makes fresh ids that are never all zeros", () => {
		expect(newTraceId()).toMatch(/^[\da-f]{32}$/);
		expect(newSpanId()).toMatch(/^[\da-f]{16}$/);
		expect(newTraceId()).not.toBe(newTraceId());
	});
});

describe("tracestate", () => {
	it("passes a valid list on, and drops a malformed or oversized one", () => {
		expect(parseTracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
		expect(parseTracestate("tenant@vendor=x")).toBe("tenant@vendor=x");
		expect(parseTracestate("no-equals-sign")).toBeUndefined();
		expect(parseTracestate("Upper=1")).toBeUndefined();
		expect(parseTracestate(`a=${"x".repeat(600)}`)).toBeUndefined();
	});
});

describe("a trace", () => {
	it("continues the caller's trace and hands upstream calls a child traceparent", () => {
		const trace = startTrace(undefined, "GET", { parent: parseTraceparent(`00-${TRACE}-${SPAN}-01`), kind: "server", waitUntil: () => {} });
		expect(trace.traceId).toBe(TRACE);
		expect(trace.spanId).not.toBe(SPAN);
		expect(trace.traceparent).toBe(`00-${TRACE}-${trace.spanId}-01`);
	});

	it("off, builds no span: a child is the request's span itself, and nothing is exported", () => {
		const exports: Promise<unknown>[] = [];
		const trace = startTrace(undefined, "GET", { parent: undefined, kind: "server", waitUntil: (w) => exports.push(w) });
		const child = trace.start("admission");
		expect(child).toBe(trace);
		child.end();
		trace.end();
		expect(exports).toEqual([]);
		expect(trace.traceparent).toBe(`00-${trace.traceId}-${trace.spanId}-00`);
	});

	it("on, is exported once, after its root and every span under it have ended", async () => {
		const exports: Promise<unknown>[] = [];
		const target = { endpoint: "http://127.0.0.1:9", headers: {}, serviceName: "test" };
		const trace = startTrace(target, "GET", { parent: undefined, kind: "server", waitUntil: (w) => exports.push(w) });
		const stream = trace.start("stream");
		expect(stream.traceparent).toBe(`00-${trace.traceId}-${stream.spanId}-01`);
		trace.end();
		expect(exports).toHaveLength(0);
		stream.end();
		stream.end();
		expect(exports).toHaveLength(1);
		// Nobody listens there: the failure is swallowed, never thrown into the request.
		await expect(Promise.all(exports)).resolves.toEqual([undefined]);
	});
});

describe("the OTLP body", () => {
	it("carries the service name, hex ids, the parent link, kinds, times in nanoseconds and the error status", () => {
		const body = otlpBody("gw", [
			{
				traceId: TRACE,
				spanId: SPAN,
				parentSpanId: "1111111111111111",
				name: "upstream chat",
				kind: "client",
				startMs: 1_700_000_000_000,
				endMs: 1_700_000_000_250,
				attributes: { "gateway.attempt": 2, "gateway.failover": true, "gateway.provider": "openai", ratio: 0.5 },
				error: "status 500",
			},
		]);
		const [resource] = body.resourceSpans;
		expect(resource?.resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "gw" } }]);
		expect(resource?.scopeSpans[0]?.spans[0]).toEqual({
			traceId: TRACE,
			spanId: SPAN,
			parentSpanId: "1111111111111111",
			name: "upstream chat",
			kind: 3,
			startTimeUnixNano: "1700000000000000000",
			endTimeUnixNano: "1700000000250000000",
			attributes: [
				{ key: "gateway.attempt", value: { intValue: "2" } },
				{ key: "gateway.failover", value: { boolValue: true } },
				{ key: "gateway.provider", value: { stringValue: "openai" } },
				{ key: "ratio", value: { doubleValue: 0.5 } },
			],
			status: { code: 2, message: "status 500" },
		});
	});
});
