/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` a client or a queue message brings, and
 * the one each upstream call carries. Pure functions: the tracer and its tests share them.
 */

/** Where a span sits in a trace: enough to continue the trace as its child. */
export interface SpanContext {
	traceId: string;
	spanId: string;
	/** The caller's sampling decision (flag 01), passed on as it came. */
	sampled: boolean;
}

// version-traceId-parentId-flags; a later version may append fields after another dash.
const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/** A usable `traceparent`, or undefined: a malformed one is ignored and the gateway starts a trace of its own. */
export function parseTraceparent(header: string | null | undefined): SpanContext | undefined {
	if (!header) return undefined;
	const m = TRACEPARENT.exec(header.trim());
	if (!m) return undefined;
	const [, version = "", traceId = "", spanId = "", flags = "", rest] = m;
	// ff is forbidden; version 00 has exactly four fields.
	if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
	if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
	return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent({ traceId, spanId, sampled }: SpanContext): string {
	return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}

const MAX_TRACESTATE = 512;
const MAX_MEMBERS = 32;
// key = simple-key / tenant@system; value = printable ASCII but ',' and '=', not ending in a space.
const MEMBER = /^(?:[a-z][\w\-*/]{0,255}|[a-z\d][\w\-*/]{0,240}@[a-z][\w\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** A `tracestate` worth passing on with the trace, or undefined (malformed ones are dropped, as the spec allows). */
export function parseTracestate(header: string | null | undefined): string | undefined {
	if (!header || header.length > MAX_TRACESTATE) return undefined;
	const members = header
		.split(",")
		.map((m) => m.trim())
		.filter((m) => m !== "");
	if (members.length === 0 || members.length > MAX_MEMBERS || !members.every((m) => MEMBER.test(m))) return undefined;
	return members.join(",");
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// Ids are drawn from a pool filled a few KiB at a time: one getRandomValues call per request costs more than the
// rest of a trace that is off.
const pool = new Uint8Array(4096);
let drawn = pool.length;

function randomHex(bytes: number): string {
	if (drawn + bytes > pool.length) {
		crypto.getRandomValues(pool);
		drawn = 0;
	}
	let out = "";
	for (let i = drawn; i < drawn + bytes; i++) out += HEX[pool[i] ?? 0];
	drawn += bytes;
	return ALL_ZEROS.test(out) ? randomHex(bytes) : out;
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
