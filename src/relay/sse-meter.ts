import { sseReader } from "../protocols/sse";
import { UNREADABLE_EVENT } from "../protocols/stream-json";
import type { StreamTap } from "../protocols/stream-tap";
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
	tap: StreamTap;
	startedAt: number;
	onEnd: (summary: StreamSummary) => void;
}

/** Where one event's bytes end: its terminating blank line. */
const EVENT_END = /\r?\n\r?\n/;

/**
 * The pass-through framing: cuts the upstream's text into whole events, each with the very bytes it came with,
 * and lets the tap hold one back. This cutting stays hand-written: eventsource-parser (which reads each event's
 * fields here) hands over an event's fields, not its bytes, so it can neither forward an event byte for byte
 * nor drop one (OpenAI's usage chunk) from the middle of a network chunk. It is kept for what it does, not for
 * speed: in a node micro-benchmark of an 11-event OpenAI stream, eventsource-parser reads the events' fields in
 * about 2 µs against 3 µs for the hand-written reader it replaced.
 */
function eventFramer(tap: StreamTap) {
	const decoder = new TextDecoder();
	let pending = "";
	let data: string | undefined;
	const fields = sseReader((event) => {
		data = event.data;
	});

	/** Reads one whole event (with its blank line); false holds it back from the client. */
	const shows = (event: string): boolean => {
		data = undefined;
		fields.feed(event);
		return data ? tap.inspect(data) : true;
	};

	/** Takes the whole events out of `pending`: what to forward, and whether anything was held back. */
	const drain = (): { text: string; held: boolean } => {
		let text = "";
		let held = false;
		for (let match = EVENT_END.exec(pending); match; match = EVENT_END.exec(pending)) {
			const end = match.index + match[0].length;
			const event = pending.slice(0, end);
			pending = pending.slice(end);
			if (!event.trim()) continue;
			if (shows(event)) text += event;
			else held = true;
			// Nothing after a failure goes out: the stream ends there.
			if (tap.failed) break;
		}
		return { text, held };
	};

	return {
		/** The text to forward for one network chunk, and whether the chunk's own bytes say exactly that. */
		push(bytes: Uint8Array): { text: string; asIs: boolean } {
			const aligned = pending === "";
			pending += decoder.decode(bytes, { stream: true });
			const { text, held } = drain();
			return { text, asIs: aligned && pending === "" && !held };
		},
		/** The rest, once the upstream is done: a last event that lacks its blank line still counts. */
		finish(): string {
			pending += decoder.decode();
			let { text } = drain();
			const last = `${pending}\n\n`;
			if (!tap.failed && pending.trim() && shows(last)) text += last;
			pending = "";
			return text;
		},
	};
}

interface Pass {
	reader: ReadableStreamDefaultReader<Uint8Array>;
	writer: WritableStreamDefaultWriter<Uint8Array>;
	framer: ReturnType<typeof eventFramer>;
	tap: StreamTap;
	/** Records how the stream ended, once; true if it had already ended (the client left first). */
	end(how: StreamEnd): boolean;
	/** Notes when the first bytes go out. */
	sent(): void;
}

const encoder = new TextEncoder();

/** The error event a failed stream ends with, when the upstream's own error event is not already its last. */
function closingError(tap: StreamTap): string {
	if (tap.unreadable) return tap.errorEvent(UNREADABLE_EVENT);
	return tap.complete || tap.failed ? "" : tap.errorEvent("The upstream ended the stream early; the response is incomplete");
}

/** The last bytes go out, after the stream's end is recorded (so the record never waits on a slow reader). */
async function close(pass: Pass, text: string, how: StreamEnd): Promise<void> {
	if (text) pass.sent();
	if (pass.end(how)) return; // the client left first and the upstream was cancelled
	if (text) await pass.writer.write(encoder.encode(text));
	await pass.writer.close();
}

/** The upstream broke the connection: the client gets the dialect's error event, which its SDK raises. */
function failMidStream(pass: Pass): Promise<void> {
	return close(pass, pass.tap.errorEvent("The upstream connection failed mid-stream; the response is incomplete"), "upstream_failed");
}

/** The upstream is done: the rest goes out, with an error event if the dialect's normal end never came. */
function finishStream(pass: Pass): Promise<void> {
	const text = pass.framer.finish() + closingError(pass.tap);
	return close(pass, text, pass.tap.complete ? "complete" : "upstream_failed");
}

/**
 * The stream failed on the way (the upstream said so, or sent an event that could not be read): what came before the
 * failure goes out, then the error event, and the stream ends; the rest of the upstream's answer is not waited for.
 */
function stopFailed(pass: Pass, text: string): Promise<void> {
	pass.reader.cancel().catch(() => {});
	return close(pass, text + closingError(pass.tap), "upstream_failed");
}

/** One network chunk on its way; false once the stream has ended. */
async function forward(pass: Pass, bytes: Uint8Array): Promise<boolean> {
	const { text, asIs } = pass.framer.push(bytes);
	if (pass.tap.failed) {
		await stopFailed(pass, text);
		return false;
	}
	if (!text) return true;
	pass.sent();
	await pass.writer.write(asIs ? bytes : encoder.encode(text));
	return true;
}

async function pump(pass: Pass): Promise<void> {
	for (;;) {
		let result: ReadableStreamReadResult<Uint8Array>;
		try {
			result = await pass.reader.read();
		} catch {
			return failMidStream(pass);
		}
		if (result.done) return finishStream(pass);
		if (!(await forward(pass, result.value))) return;
	}
}

/**
 * Passes an SSE stream through event by event as it arrives, reading usage on the side. Only an
 * incomplete event is held back (until its terminating blank line arrives), and a network chunk made of whole
 * events goes out as the very bytes that came in. If the upstream fails after bytes have gone out (its connection
 * breaks, it reports an error, or it sends an event that cannot be read), the stream ends with the dialect's error
 * event, which the client's SDK raises (the OpenAI SDK as an APIError); it is never silently retried. When the client goes away, the upstream is cancelled.
 *
 * The response body is the readable side of workerd's native IdentityTransformStream, fed by a loop: measured
 * with `npm run bench`, a JavaScript ReadableStream or TransformStream as the body costs the runtime well over
 * a millisecond of CPU per stream more.
 */
export function meterStream(upstream: ReadableStream<Uint8Array>, options: MeterOptions): ReadableStream<Uint8Array> {
	const { readable, writable } = new IdentityTransformStream();
	const { tap } = options;
	let ttfbMs: number | undefined;
	let ended = false;
	const pass: Pass = {
		reader: upstream.getReader(),
		writer: writable.getWriter(),
		framer: eventFramer(tap),
		tap,
		end(how) {
			if (ended) return true;
			ended = true;
			options.onEnd({ end: how, usage: tap.usage, deliveredChars: () => tap.deliveredChars(), ttfbMs });
			return false;
		},
		sent() {
			ttfbMs ??= Date.now() - options.startedAt;
		},
	};

	// The client went away: the body's readable side was cancelled, which errors our writer.
	pass.writer.closed.catch((reason: unknown) => {
		pass.end("client_closed");
		pass.reader.cancel(reason).catch(() => {});
	});
	pump(pass).catch(() => {
		// A write failed because the client went away; the handler above has already cancelled the upstream.
	});
	return readable;
}
