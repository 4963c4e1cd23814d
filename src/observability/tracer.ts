/**
 * Traces of the gateway's own steps, exported over OTLP/HTTP JSON after the response.
 *
 * Why our own and not a library (measured 2026-12-02 with `wrangler deploy --dry-run`, a Hono Worker of one route
 * that fetches an upstream, compatibility flag nodejs_compat):
 * - `@microlabs/otel-cf-workers` 0.9.1 (+ @opentelemetry/api 1.9, sdk-trace-base 1.30, exporter-trace-otlp-http 0.36,
 *   and zod 3 beside our zod 4): the Worker grows from 62 KiB to 598 KiB (gzip 16 → 107 KiB), minified from 21 to
 *   271 KiB (gzip 9 → 74 KiB), i.e. +250 KiB minified / +65 KiB gzip on the gateway's 1044 KiB / 281 KiB (+24 %).
 *   It runs in workerd (`wrangler dev`): it took the client's traceparent, passed a child traceparent on the
 *   instrumented global fetch, and exported after the response. But it wraps the whole exported handler and patches
 *   global fetch and the bindings, builds spans for every request whether or not a collector is set, and pins an
 *   OpenTelemetry SDK two majors old.
 * - `@hono/otel` 1.1.2 only adds a server span middleware over @opentelemetry/api: it needs a tracer provider, which on
 *   Workers is otel-cf-workers again (274 KiB minified together, the same cost plus 3 KiB).
 * What we need is small (W3C traceparent in and out, a few spans with explicit parents, one OTLP JSON POST per
 * request after the response, nothing at all when export is off), so this file and its neighbours do it in about
 * 350 lines: the gateway grew by 8 KiB minified (3 KiB gzip). In node, a request's tracing costs about 2 µs off and
 * about 50 µs on (five spans, their OTLP body, a stubbed fetch).
 *
 * Off (no OTEL_EXPORTER_OTLP_ENDPOINT) a trace is one object per request: its ids, for the request log and for the
 * `traceparent` every upstream call still carries; `start` returns that same object, so no span is ever built.
 */
import { type AttributeValue, exportSpans, type FinishedSpan, type OtlpTarget, type SpanKind } from "./otlp-export";
import { formatTraceparent, newSpanId, newTraceId, type SpanContext } from "./trace-context";

export type { AttributeValue, OtlpTarget, SpanKind } from "./otlp-export";

export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

export interface SpanOptions {
	kind?: SpanKind;
	attributes?: Attributes;
}

/** One step of a request. Every span started must be ended (in a `finally`): a trace is exported when all have. */
export interface Span {
	readonly traceId: string;
	readonly spanId: string;
	/** The `traceparent` of a call made within this span: the callee's work is its child. */
	readonly traceparent: string;
	/** The client's vendor state, passed on unchanged with the trace. */
	readonly tracestate: string | undefined;
	/** A child of this span. */
	start(name: string, options?: SpanOptions): Span;
	set(attributes: Attributes): void;
	rename(name: string): void;
	/** Marks the span failed, with a short reason (an error code or status, never a message that could hold a secret). */
	fail(reason: string): void;
	end(): void;
}

export interface TraceOptions {
	/** The caller's span (a client's `traceparent`, a queue message's); absent, a new trace begins. */
	parent: SpanContext | undefined;
	tracestate?: string | undefined;
	kind: SpanKind;
	attributes?: Attributes;
	/** Keeps the export alive after the response. */
	waitUntil: (work: Promise<unknown>) => void;
}

/** The root span of a request or a queue message: recording when there is a collector to send to, ids only otherwise. */
export function startTrace(target: OtlpTarget | undefined, name: string, options: TraceOptions): Span {
	const traceId = options.parent?.traceId ?? newTraceId();
	if (target === undefined) return new PassiveSpan(traceId, options.parent?.sampled ?? false, options.tracestate);
	const batch = new TraceBatch(target, options.waitUntil);
	return new RecordingSpan(batch, traceId, options.parent?.spanId, name, options, options.tracestate, true);
}

/** The ids of a trace of its own, recording nothing: for work nobody traced, whose upstream calls still carry a traceparent. */
export function untraced(): Span {
	return new PassiveSpan(newTraceId(), false, undefined);
}

/** Runs `work` in a child span of `parent`, ended however it goes; a throw marks it failed with the error's name. */
export function traced<T>(parent: Span, name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
	return within(parent.start(name, options), work);
}

/** Runs `work` in `span`, ended however it goes; a throw marks it failed with the error's name. */
export async function within<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
	try {
		return await work(span);
	} catch (err) {
		span.fail(errorReason(err));
		throw err;
	} finally {
		span.end();
	}
}

/** What a span says of an error: a gateway error's code, otherwise the error's class; never its message. */
export function errorReason(err: unknown): string {
	if (err instanceof Error) return "code" in err && typeof err.code === "string" ? err.code : err.name;
	return "error";
}

/** Tracing off: the ids of the trace and nothing else. */
class PassiveSpan implements Span {
	readonly spanId = newSpanId();
	private header: string | undefined;

	constructor(
		readonly traceId: string,
		private readonly sampled: boolean,
		readonly tracestate: string | undefined,
	) {}

	get traceparent(): string {
		this.header ??= formatTraceparent({ traceId: this.traceId, spanId: this.spanId, sampled: this.sampled });
		return this.header;
	}

	start(): Span {
		return this;
	}

	set(): void {}
	rename(): void {}
	fail(): void {}
	end(): void {}
}

/** The spans of one trace in this isolate, sent in one export once its root and every span under it have ended. */
class TraceBatch {
	private readonly finished: FinishedSpan[] = [];
	private open = 0;
	private rootEnded = false;
	private sent = false;

	constructor(
		private readonly target: OtlpTarget,
		private readonly waitUntil: (work: Promise<unknown>) => void,
	) {}

	opened(): void {
		this.open++;
	}

	// A span ending after the export (work the request left to waitUntil) is not sent: the trace has gone.
	closed(span: FinishedSpan, root: boolean): void {
		if (this.sent) return;
		this.finished.push(span);
		this.open--;
		if (root) this.rootEnded = true;
		if (this.rootEnded && this.open === 0) {
			this.sent = true;
			this.waitUntil(exportSpans(this.target, this.finished));
		}
	}
}

class RecordingSpan implements Span {
	readonly spanId = newSpanId();
	private readonly startMs = Date.now();
	private readonly kind: SpanKind;
	private readonly attributes: Record<string, AttributeValue> = {};
	private error: string | undefined;
	private ended = false;

	constructor(
		private readonly batch: TraceBatch,
		readonly traceId: string,
		private readonly parentSpanId: string | undefined,
		private name: string,
		options: SpanOptions,
		readonly tracestate: string | undefined,
		private readonly root = false,
	) {
		this.kind = options.kind ?? "internal";
		if (options.attributes) this.set(options.attributes);
		batch.opened();
	}

	// Sampled: this span is recorded, and a callee that traces may record its part too.
	get traceparent(): string {
		return formatTraceparent({ traceId: this.traceId, spanId: this.spanId, sampled: true });
	}

	start(name: string, options: SpanOptions = {}): Span {
		return new RecordingSpan(this.batch, this.traceId, this.spanId, name, options, this.tracestate);
	}

	set(attributes: Attributes): void {
		for (const [key, value] of Object.entries(attributes)) if (value !== undefined) this.attributes[key] = value;
	}

	rename(name: string): void {
		this.name = name;
	}

	fail(reason: string): void {
		this.error = reason;
	}

	end(): void {
		if (this.ended) return;
		this.ended = true;
		const { traceId, spanId, parentSpanId, name, kind, startMs, attributes, error } = this;
		this.batch.closed({ traceId, spanId, parentSpanId, name, kind, startMs, endMs: Date.now(), attributes, error }, this.root);
	}
}
