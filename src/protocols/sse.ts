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

/** The data of an SSE event: its `data:` lines joined, as the SSE spec reads them. */
export function dataOf(event: string): string {
	if (event.startsWith("data: ") && !event.includes("\n")) return event.slice(6);
	let data = "";
	for (const line of event.split(/\r?\n/)) {
		if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(line[5] === " " ? 6 : 5);
	}
	return data;
}

export function parseEvent(raw: string): SseEvent {
	const name = /^event:\s?(.*)$/m.exec(raw)?.[1]?.trim();
	return { event: name || undefined, data: dataOf(raw) };
}

export const EVENT_BOUNDARY = /\r?\n\r?\n/;

/**
 * A byte stream transform driven by a mapper: splits the input into events as they complete (never waiting for
 * the end of the stream), maps each, and writes what the mapper returns at once. Upstream errors propagate to the
 * reader; a cancel from the reader propagates to the source.
 */
export function sseTransform(mapper: SseMapper): TransformStream<Uint8Array, Uint8Array> {
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	let pending = "";
	const drain = (controller: TransformStreamDefaultController<Uint8Array>) => {
		let out = "";
		for (;;) {
			const match = EVENT_BOUNDARY.exec(pending);
			if (!match) break;
			const raw = pending.slice(0, match.index);
			pending = pending.slice(match.index + match[0].length);
			if (raw.trim()) out += mapper.map(parseEvent(raw));
		}
		if (out) controller.enqueue(encoder.encode(out));
	};
	return new TransformStream({
		transform(chunk, controller) {
			pending += decoder.decode(chunk, { stream: true });
			drain(controller);
		},
		flush(controller) {
			pending += decoder.decode();
			if (pending.trim()) pending += "\n\n";
			drain(controller);
			const tail = mapper.end();
			if (tail) controller.enqueue(encoder.encode(tail));
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
