import type { StreamProbe } from "../protocols/codec";
import { dataOf, EVENT_BOUNDARY } from "../protocols/sse";
import type { Usage } from "../protocols/usage";

export type StreamEnd = "complete" | "client_closed" | "upstream_failed";

export interface StreamSummary {
	end: StreamEnd;
	usage: Usage | undefined;
	/** Characters of generated text, tool arguments and reasoning actually delivered: the basis of an estimate. */
	deliveredChars: () => number;
	ttfbMs: number | undefined;
}

export interface MeterOptions {
	/** Reads the stream's dialect: usage, how it ended, what to hold back, how to end it with an error. */
	probe: StreamProbe;
	startedAt: number;
	onEnd: (summary: StreamSummary) => void;
}

/**
 * Passes an SSE stream through event by event as it arrives, reading usage on the side. Only an
 * incomplete event is held back (until its terminating blank line arrives), and a network chunk made of whole
 * events goes out as the very bytes that came in. If the upstream fails after bytes have gone out, the stream
 * ends with the dialect's error event, which the client's SDK raises (the OpenAI SDK as an APIError); it is
 * never silently retried. When the
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
	const { probe } = options;
	let pending = "";
	let ttfbMs: number | undefined;
	let ended = false;

	const end = (how: StreamEnd) => {
		if (ended) return;
		ended = true;
		options.onEnd({ end: how, usage: probe.usage, deliveredChars: () => probe.deliveredChars(), ttfbMs });
	};

	/** Reads one complete event; returns false to hold it back from the client. */
	const inspect = (event: string): boolean => {
		const data = dataOf(event);
		return data ? probe.inspect(data) : true;
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
				await writer.write(encoder.encode(probe.errorEvent("The upstream connection failed mid-stream; the response is incomplete")));
				await writer.close();
				return;
			}
			if (result.done) {
				pending += decoder.decode();
				let { out } = drain();
				if (pending.trim() && inspect(pending)) out += `${pending}\n\n`;
				pending = "";
				const complete = probe.complete;
				if (!complete && !probe.failed) out += probe.errorEvent("The upstream ended the stream early; the response is incomplete");
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
