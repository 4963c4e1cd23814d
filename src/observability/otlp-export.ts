/**
 * OTLP/HTTP with JSON bodies (https://opentelemetry.io/docs/specs/otlp/#otlphttp): one POST of a trace's finished
 * spans to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`, made after the response (the caller hands it to waitUntil).
 */

export type AttributeValue = string | number | boolean;
export type SpanKind = "internal" | "server" | "client" | "consumer";

/** Where spans go; absent, tracing is off. */
export interface OtlpTarget {
	endpoint: string;
	/** The collector's own headers (an API key): sent, never logged. */
	headers: Readonly<Record<string, string>>;
	serviceName: string;
}

export interface FinishedSpan {
	traceId: string;
	spanId: string;
	parentSpanId: string | undefined;
	name: string;
	kind: SpanKind;
	startMs: number;
	endMs: number;
	attributes: Readonly<Record<string, AttributeValue>>;
	/** Set when the span's work failed: a short reason (an error code), never a secret. */
	error: string | undefined;
}

const KIND = { internal: 1, server: 2, client: 3, consumer: 5 } as const satisfies Record<SpanKind, number>;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };

function anyValue(value: AttributeValue): AnyValue {
	if (typeof value === "string") return { stringValue: value };
	if (typeof value === "boolean") return { boolValue: value };
	return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

const keyValues = (attributes: Readonly<Record<string, AttributeValue>>) => Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

// Epoch milliseconds as the fixed64 nanoseconds OTLP/JSON carries in a string.
const nanos = (ms: number) => `${Math.round(ms)}000000`;

/** The request body of one export. */
export function otlpBody(serviceName: string, spans: readonly FinishedSpan[]) {
	return {
		resourceSpans: [
			{
				resource: { attributes: keyValues({ "service.name": serviceName }) },
				scopeSpans: [
					{
						scope: { name: "edge-gateway" },
						spans: spans.map((s) => ({
							traceId: s.traceId,
							spanId: s.spanId,
							...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
							name: s.name,
							kind: KIND[s.kind],
							startTimeUnixNano: nanos(s.startMs),
							endTimeUnixNano: nanos(s.endMs),
							attributes: keyValues(s.attributes),
							status: s.error === undefined ? { code: STATUS_OK } : { code: STATUS_ERROR, message: s.error },
						})),
					},
				],
			},
		],
	};
}

let warned = false;

/** A collector that is down costs the traces, never the request; it is said once per isolate, not once per request. */
function warnOnce(reason: string): void {
	if (warned) return;
	warned = true;
	console.warn(JSON.stringify({ event: "otlp_export_failed", reason }));
}

/** Never throws: an export failure is logged (once, without the endpoint or its headers) and the spans are dropped. */
export async function exportSpans(target: OtlpTarget, spans: readonly FinishedSpan[]): Promise<void> {
	try {
		const res = await fetch(`${target.endpoint.replace(/\/+$/, "")}/v1/traces`, {
			method: "POST",
			headers: { ...target.headers, "content-type": "application/json" },
			body: JSON.stringify(otlpBody(target.serviceName, spans)),
		});
		await res.body?.cancel();
		if (!res.ok) warnOnce(`the collector answered ${res.status}`);
	} catch (err) {
		warnOnce(err instanceof Error ? err.name : "export failed");
	}
}

const targets = new WeakMap<object, OtlpTarget | undefined>();

/** The collector of a validated config, built once per config (one per isolate); undefined when export is off. */
export function otlpTarget(cfg: {
	otlpEndpoint: string | undefined;
	otlpHeaders: Readonly<Record<string, string>>;
	otelServiceName: string;
}): OtlpTarget | undefined {
	if (targets.has(cfg)) return targets.get(cfg);
	const target = cfg.otlpEndpoint === undefined ? undefined : { endpoint: cfg.otlpEndpoint, headers: cfg.otlpHeaders, serviceName: cfg.otelServiceName };
	targets.set(cfg, target);
	return target;
}
