import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One server-sent event as a dialect sees it: the optional `event:` name and the joined `data:` lines. */
export interface SseEvent {
	event: string | undefined;
	data: string;
}

/**
 * Maps a stream event by event: `map` returns the SSE text to send for one incoming event (often none, sometimes
 * several events), `end` what to send once the input is over. One mapper lives for one stream and keeps its state.
 */
export interface SseMapper {
	map(event: SseEvent): string;
	end(): string;
}

export function sse(data: unknown, event?: string): string {
	return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/**
 * The events of an SSE text fed piece by piece, read by eventsource-parser (the codebase's one SSE parser).
 * `end` reads a last event that lacks its terminating blank line, as a stream cut at its very end would leave it.
 */
export function sseReader(onEvent: (event: SseEvent) => void): { feed(text: string): void; end(): void } {
	const parser = createParser({ onEvent: (e: EventSourceMessage) => onEvent({ event: e.event, data: e.data }) });
	return { feed: (text) => parser.feed(text), end: () => parser.feed("\n\n") };
}

/** The events of a whole SSE text. */
export function sseEvents(text: string): SseEvent[] {
	const events: SseEvent[] = [];
	const reader = sseReader((e) => events.push(e));
	reader.feed(text);
	reader.end();
	return events;
}

/**
 * A byte stream transform driven by a mapper: reads the input's events as they complete (never waiting for
 * the end of the stream), maps each, and writes what the mapper returns at once, one write per network chunk.
 * Upstream errors propagate to the reader; a cancel from the reader propagates to the source.
 */
export function sseTransform(mapper: SseMapper): TransformStream<Uint8Array, Uint8Array> {
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	let out = "";
	const reader = sseReader((event) => {
		out += mapper.map(event);
	});
	const send = (controller: TransformStreamDefaultController<Uint8Array>, text: string) => {
		if (text) controller.enqueue(encoder.encode(text));
	};
	const take = () => {
		const text = out;
		out = "";
		return text;
	};
	return new TransformStream({
		transform(chunk, controller) {
			reader.feed(decoder.decode(chunk, { stream: true }));
			send(controller, take());
		},
		flush(controller) {
			reader.feed(decoder.decode());
			reader.end();
			send(controller, take() + mapper.end());
		},
	});
}

export function parseJson(data: string): unknown {
	try {
		return JSON.parse(data);
	} catch {
		return undefined;
	}
}
