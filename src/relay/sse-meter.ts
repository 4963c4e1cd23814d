import { readUsage, type Usage } from "./usage";

export type StreamEnd = "complete" | "client_closed" | "upstream_failed";

export interface StreamSummary {
	end: StreamEnd;
	usage: Usage | undefined;
	/** Characters of generated text, tool arguments and reasoning actually delivered: the basis of an estimate. */
	deliveredChars: () => number;
	ttfbMs: number | undefined;
}

export interface MeterOptions {
	/** The client asked for `stream_options.include_usage`; otherwise the usage-only chunk is held back. */
	forwardUsage: boolean;
	startedAt: number;
	onEnd: (summary: StreamSummary) => void;
}

const EVENT_BOUNDARY = /\r?\n\r?\n/;
// Cheap tests on an event's raw JSON, so that only the rare events that matter are parsed. Inside a JSON
// string these would appear with escaped quotes, so generated text cannot trigger them.
const HAS_USAGE = /"usage"\s*:\s*\{/;
const HAS_FINISH = /"finish_reason"\s*:\s*"/;
const IS_ERROR = /^\s*\{\s*"error"\s*:/;

function errorEvent(message: string): string {
	return `data: ${JSON.stringify({ error: { message, type: "api_error", code: "upstream_error" } })}\n\n`;
}

interface Delta {
	content?: unknown;
	reasoning_content?: unknown;
	tool_calls?: { function?: { arguments?: unknown } }[];
}

function deltaChars(delta: Delta | undefined): number {
	if (!delta) return 0;
	let n = 0;
	if (typeof delta.content === "string") n += delta.content.length;
	if (typeof delta.reasoning_content === "string") n += delta.reasoning_content.length;
	for (const call of delta.tool_calls ?? []) {
		const args = call.function?.arguments;
		if (typeof args === "string") n += args.length;
	}
	return n;
}

function parse(data: string): { choices?: { delta?: Delta }[]; usage?: unknown; error?: unknown } | undefined {
	try {
		return JSON.parse(data);
	} catch {
		return undefined;
	}
}

/** The data of an SSE event: its `data:` lines joined, as the SSE spec reads them. */
function dataOf(event: string): string {
	if (event.startsWith("data: ") && !event.includes("\n")) return event.slice(6);
	let data = "";
	for (const line of event.split(/\r?\n/)) {
		if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(line[5] === " " ? 6 : 5);
	}
	return data;
}

/**
 * Passes an OpenAI SSE stream through event by event as it arrives, reading usage on the side. Only an
 * incomplete event is held back (until its terminating blank line arrives), and a network chunk made of whole
 * events goes out as the very bytes that came in. If the upstream fails after bytes have gone out, the stream
 * ends with an error event, which the OpenAI SDK raises as an APIError; it is never silently retried. When the
 * client goes away, the upstream is cancelled.
 *
 * The response body is the readable side of workerd's native IdentityTransformStream, fed by a loop: measured
 * with `npm run bench`, a JavaScript ReadableStream or TransformStream as the body costs the runtime well over
 * a millisecond of CPU per stream more.
 */
export function meterStream(upstream: ReadableStream<Uint8Array>, options: MeterOptions): ReadableStream<Uint8Array> {
	const { readable, writable } = new IdentityTransformStream();
	const reader = upstream.getReader();
	const writer = writable.getWriter();
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	let pending = "";
	// Data of the events delivered, parsed for an estimate only if the upstream reports no usage.
	const delivered: string[] = [];
	let usage: Usage | undefined;
	let ttfbMs: number | undefined;
	let sawDone = false;
	let sawFinish = false;
	let upstreamError = false;
	let ended = false;

	const end = (how: StreamEnd) => {
		if (ended) return;
		ended = true;
		const deliveredChars = () => {
			let n = 0;
			for (const data of delivered) for (const choice of parse(data)?.choices ?? []) n += deltaChars(choice.delta);
			return n;
		};
		options.onEnd({ end: how, usage, deliveredChars, ttfbMs });
	};

	/** Reads one complete event; returns false to hold it back from the client. */
	const inspect = (event: string): boolean => {
		const data = dataOf(event);
		if (!data) return true;
		if (data === "[DONE]") {
			sawDone = true;
			return true;
		}
		if (!sawFinish && HAS_FINISH.test(data)) sawFinish = true;
		if (IS_ERROR.test(data) && parse(data)?.error) upstreamError = true;
		if (HAS_USAGE.test(data)) {
			const chunk = parse(data);
			const found = readUsage(chunk?.usage);
			if (found) usage = found;
			if (found && !options.forwardUsage && Array.isArray(chunk?.choices) && chunk.choices.length === 0) return false;
		}
		delivered.push(data);
		return true;
	};

	/** Takes the complete events out of `pending`; returns what to forward and whether anything was held back. */
	const drain = (): { out: string; held: boolean } => {
		let out = "";
		let held = false;
		for (;;) {
			const match = EVENT_BOUNDARY.exec(pending);
			if (!match) return { out, held };
			const event = pending.slice(0, match.index);
			pending = pending.slice(match.index + match[0].length);
			if (!event.trim()) continue;
			if (inspect(event)) out += `${event}\n\n`;
			else held = true;
		}
	};

	const pump = async () => {
		for (;;) {
			let result: ReadableStreamReadResult<Uint8Array>;
			try {
				result = await reader.read();
			} catch {
				if (ended) return; // the client left first and the upstream was cancelled
				end("upstream_failed");
				await writer.write(encoder.encode(errorEvent("The upstream connection failed mid-stream; the response is incomplete")));
				await writer.close();
				return;
			}
			if (result.done) {
				pending += decoder.decode();
				let { out } = drain();
				if (pending.trim() && inspect(pending)) out += `${pending}\n\n`;
				pending = "";
				const complete = (sawDone || sawFinish) && !upstreamError;
				if (!complete && !upstreamError) out += errorEvent("The upstream ended the stream early; the response is incomplete");
				// Recorded before the last bytes go out, so the record never waits on a slow reader.
				end(complete ? "complete" : "upstream_failed");
				if (out) await writer.write(encoder.encode(out));
				await writer.close();
				return;
			}
			const aligned = pending === "";
			pending += decoder.decode(result.value, { stream: true });
			const { out, held } = drain();
			if (!out) continue;
			ttfbMs ??= Date.now() - options.startedAt;
			await writer.write(aligned && pending === "" && !held ? result.value : encoder.encode(out));
		}
	};

	// The client went away: the body's readable side was cancelled, which errors our writer.
	writer.closed.catch((reason: unknown) => {
		end("client_closed");
		reader.cancel(reason).catch(() => {});
	});
	pump().catch(() => {
		// A write failed because the client went away; the handler above has already cancelled the upstream.
	});
	return readable;
}
