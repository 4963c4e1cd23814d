import { readUsage, type Usage } from "./usage";

export type StreamEnd = "complete" | "client_closed" | "upstream_failed";

export interface StreamSummary {
	end: StreamEnd;
	usage: Usage | undefined;
	/** Characters of generated text, tool arguments and reasoning actually delivered: the basis of an estimate. */
	deliveredChars: number;
	ttfbMs: number | undefined;
}

export interface MeterOptions {
	/** The client asked for `stream_options.include_usage`; otherwise the usage-only chunk is held back. */
	forwardUsage: boolean;
	startedAt: number;
	onEnd: (summary: StreamSummary) => void;
}

const EVENT_BOUNDARY = /\r?\n\r?\n/;

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

/**
 * Passes an OpenAI SSE stream through event by event as it arrives, reading usage on the side. Only an
 * incomplete event is held back (until its terminating blank line arrives). If the upstream fails after bytes
 * have gone out, the stream ends with an error event, which the OpenAI SDK raises as an APIError; it is never
 * silently retried. Cancelling the returned stream (the client went away) cancels the upstream.
 */
export function meterStream(upstream: ReadableStream<Uint8Array>, options: MeterOptions): ReadableStream<Uint8Array> {
	const reader = upstream.getReader();
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	let pending = "";
	let usage: Usage | undefined;
	let deliveredChars = 0;
	let ttfbMs: number | undefined;
	let sawDone = false;
	let sawFinish = false;
	let upstreamError = false;
	let ended = false;

	const end = (how: StreamEnd) => {
		if (ended) return;
		ended = true;
		options.onEnd({ end: how, usage, deliveredChars, ttfbMs });
	};

	/** Returns the text to forward for one complete event, or "" to hold it back. */
	const inspect = (event: string): string => {
		let data = "";
		for (const line of event.split(/\r?\n/)) {
			if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(line[5] === " " ? 6 : 5);
		}
		if (!data) return `${event}\n\n`;
		if (data === "[DONE]") {
			sawDone = true;
			return `${event}\n\n`;
		}
		let chunk: { choices?: { delta?: Delta; finish_reason?: unknown }[]; usage?: unknown; error?: unknown };
		try {
			chunk = JSON.parse(data);
		} catch {
			return `${event}\n\n`;
		}
		if (chunk.error) upstreamError = true;
		const found = readUsage(chunk.usage);
		if (found) usage = found;
		for (const choice of chunk.choices ?? []) {
			deliveredChars += deltaChars(choice.delta);
			if (choice.finish_reason) sawFinish = true;
		}
		if (found && !options.forwardUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return "";
		return `${event}\n\n`;
	};

	const drain = (): string => {
		let out = "";
		for (;;) {
			const match = EVENT_BOUNDARY.exec(pending);
			if (!match) return out;
			const event = pending.slice(0, match.index);
			pending = pending.slice(match.index + match[0].length);
			if (event.trim()) out += inspect(event);
		}
	};

	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				for (;;) {
					let result: ReadableStreamReadResult<Uint8Array>;
					try {
						result = await reader.read();
					} catch {
						controller.enqueue(encoder.encode(errorEvent("The upstream connection failed mid-stream; the response is incomplete")));
						controller.close();
						end("upstream_failed");
						return;
					}
					if (result.done) {
						pending += decoder.decode();
						let out = drain();
						if (pending.trim()) out += inspect(pending);
						pending = "";
						const complete = (sawDone || sawFinish) && !upstreamError;
						if (!complete && !upstreamError) out += errorEvent("The upstream ended the stream early; the response is incomplete");
						if (out) controller.enqueue(encoder.encode(out));
						controller.close();
						end(complete ? "complete" : "upstream_failed");
						return;
					}
					pending += decoder.decode(result.value, { stream: true });
					const out = drain();
					if (out) {
						ttfbMs ??= Date.now() - options.startedAt;
						controller.enqueue(encoder.encode(out));
						return;
					}
				}
			},
			cancel(reason) {
				end("client_closed");
				return reader.cancel(reason);
			},
		},
		{ highWaterMark: 0 },
	);
}
