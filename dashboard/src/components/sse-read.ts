/** Reading a streamed answer's server-sent events in the browser, for the pages that show one as it arrives. */
import { createParser } from "eventsource-parser";

/** JSON text parsed, or undefined when it is not JSON (a `[DONE]`, a broken event). */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * Feeds `body`'s events' data to `onData` as they arrive, and calls `flush` after each network read: one screen
 * update per read, however many events it carried. A last event that lacks its blank line still counts.
 */
export async function readEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => void, flush: () => void): Promise<void> {
	const parser = createParser({ onEvent: ({ data }) => onData(data) });
	const decoder = new TextDecoder();
	const reader = body.getReader();
	for (let read = await reader.read(); !read.done; read = await reader.read()) {
		parser.feed(decoder.decode(read.value, { stream: true }));
		flush();
	}
	parser.feed(`${decoder.decode()}\n\n`);
	flush();
}
