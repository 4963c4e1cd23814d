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
	/** Continues the stream when it breaks; absent, a broken stream ends with the dialect's error event. */
	resume?: Resume | undefined;
}

/** The rest of a broken stream: more of the same dialect, from where the client's stream stands, read by its own tap. */
export interface Resumed {
	body: ReadableStream<Uint8Array>;
	tap: StreamTap;
}

/**
 * How a broken stream is continued (src/relay/continuation.ts). Each call gets the tap of the stream that broke,
 * whose delivered events say what the client has already seen.
 */
export interface Resume {
	/** Silence this long is a break, if `ready` agrees; a stream that cannot be continued is waited for instead. */
	readonly idleMs: number;
	/** Whether a silent stream could be continued now: only then is it given up. */
	ready(tap: StreamTap): Promise<boolean>;
	/** The rest of the answer from another attempt, or undefined: the stream then ends with its error event. */
	next(tap: StreamTap): Promise<Resumed | undefined>;
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
	/** The upstream's own error event, which ends the client's stream if it is not continued. */
	let failure = "";
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
			const shown = shows(event);
			// Nothing after a failure goes out: the stream ends there, with the failing event unless it is continued.
			if (tap.failed) {
				if (shown) failure = event;
				break;
			}
			if (shown) text += event;
			else held = true;
		}
		return { text, held };
	};

	return {
		get failure() {
			return failure;
		},
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
	/** Switches to the rest of a broken stream, if it can be continued: false leaves the stream to end as broken. */
	resumed(): Promise<boolean>;
	/** The upstream went silent and was given up for a continuation. */
	stalled: boolean;
	/** A continuation is being asked for. */
	continuing: boolean;
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

/** What came before a break goes out at once: the client keeps it whether or not the stream is continued. */
async function flush(pass: Pass, text: string): Promise<void> {
	if (!text) return;
	pass.sent();
	await pass.writer.write(encoder.encode(text));
}

/** The upstream broke the connection: the client gets the dialect's error event, which its SDK raises. */
function failMidStream(pass: Pass): Promise<void> {
	return close(pass, pass.tap.errorEvent("The upstream connection failed mid-stream; the response is incomplete"), "upstream_failed");
}

/** The upstream is done: the rest goes out, with an error event if the dialect's normal end never came. False: continued. */
async function finishStream(pass: Pass): Promise<boolean> {
	const text = pass.framer.finish();
	if (pass.tap.complete) {
		await close(pass, text, "complete");
		return true;
	}
	await flush(pass, text);
	if (await pass.resumed()) return false;
	await close(pass, closingError(pass.tap), "upstream_failed");
	return true;
}

/**
 * The stream failed on the way (the upstream said so, or sent an event that could not be read): what came before the
 * failure goes out, then the error event, and the stream ends; the rest of the upstream's answer is not waited for.
 * False: the stream was continued instead.
 */
async function stopFailed(pass: Pass, text: string): Promise<boolean> {
	pass.reader.cancel().catch(() => {});
	await flush(pass, text);
	if (await pass.resumed()) return false;
	await close(pass, pass.framer.failure + closingError(pass.tap), "upstream_failed");
	return true;
}

/** One network chunk on its way; false once the stream has ended. */
async function forward(pass: Pass, bytes: Uint8Array): Promise<boolean> {
	const { text, asIs } = pass.framer.push(bytes);
	if (pass.tap.failed) return !(await stopFailed(pass, text));
	if (!text) return true;
	pass.sent();
	await pass.writer.write(asIs ? bytes : encoder.encode(text));
	return true;
}

async function pump(pass: Pass, idle: { seen(): void; started(): void } | undefined): Promise<void> {
	for (;;) {
		let result: ReadableStreamReadResult<Uint8Array>;
		try {
			result = await pass.reader.read();
		} catch {
			if (await pass.resumed()) continue;
			return failMidStream(pass);
		}
		if (result.done && pass.stalled) {
			if (await pass.resumed()) continue;
			return failMidStream(pass);
		}
		if (result.done) {
			if (await finishStream(pass)) return;
			continue;
		}
		idle?.seen();
		if (!(await forward(pass, result.value))) return;
		idle?.started();
	}
}

/**
 * Watches a stream for silence, when it may be continued: one timer per silent spell, re-armed from the time the
 * last bytes came, so a busy stream costs a clock read per chunk. The watch starts once bytes have gone out (arming a
 * timer before them delays the first byte measurably under workerd: `npm run bench`, stream at 1 connection), so a
 * silence before the first byte is the first-byte timeout's business. A silent stream that cannot be continued is
 * waited for.
 */
function idleWatch(pass: Pass, resume: Resume) {
	let lastAt = Date.now();
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const arm = (ms: number) => {
		if (!stopped) timer = setTimeout(check, ms);
	};
	const check = async () => {
		const waitMs = lastAt + resume.idleMs - Date.now();
		if (waitMs > 0 || pass.continuing) return arm(Math.max(waitMs, 1));
		const reader = pass.reader;
		const ready = await resume.ready(pass.tap).catch(() => false);
		if (!ready || reader !== pass.reader || pass.continuing) return arm(resume.idleMs);
		timer = undefined;
		pass.stalled = true;
		reader.cancel().catch(() => {});
	};
	return {
		seen() {
			lastAt = Date.now();
		},
		/** Bytes went out: the watch runs from now on. */
		started() {
			if (timer === undefined) arm(resume.idleMs);
		},
		/** A continuation took over: its silence is watched from now. */
		restart() {
			lastAt = Date.now();
			if (timer === undefined) arm(resume.idleMs);
		},
		stop() {
			stopped = true;
			if (timer !== undefined) clearTimeout(timer);
			timer = undefined;
		},
	};
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
	const { resume } = options;
	let ttfbMs: number | undefined;
	let ended = false;
	const pass: Pass = {
		reader: upstream.getReader(),
		writer: writable.getWriter(),
		framer: eventFramer(options.tap),
		tap: options.tap,
		stalled: false,
		continuing: false,
		end(how) {
			if (ended) return true;
			ended = true;
			idle?.stop();
			const { tap } = pass;
			options.onEnd({ end: how, usage: tap.usage, deliveredChars: () => tap.deliveredChars(), ttfbMs });
			return false;
		},
		sent() {
			ttfbMs ??= Date.now() - options.startedAt;
		},
		async resumed() {
			if (!resume || ended || pass.continuing) return false;
			pass.continuing = true;
			const next = await resume.next(pass.tap).catch(() => undefined);
			pass.continuing = false;
			if (!next) return false;
			if (ended) {
				// The client left while the continuation was being asked for.
				next.body.cancel().catch(() => {});
				return false;
			}
			pass.reader = next.body.getReader();
			pass.framer = eventFramer(next.tap);
			pass.tap = next.tap;
			pass.stalled = false;
			idle?.restart();
			return true;
		},
	};
	const idle = resume ? idleWatch(pass, resume) : undefined;

	// The client went away: the body's readable side was cancelled, which errors our writer.
	pass.writer.closed.catch((reason: unknown) => {
		pass.end("client_closed");
		pass.reader.cancel(reason).catch(() => {});
	});
	pump(pass, idle).catch(() => {
		// A write failed because the client went away; the handler above has already cancelled the upstream.
	});
	return readable;
}
