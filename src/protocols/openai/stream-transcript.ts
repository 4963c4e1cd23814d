import { parseEvent } from "../stream-json";
import { chatChunkSchema } from "./stream-chunk";

/** What a client has seen of a chat chunk stream that broke: enough to decide whether, and how, to continue it. */
export interface Transcript {
	/** The answer's text delivered so far. */
	text: string;
	/**
	 * Only text (or nothing yet) was in flight: no tool call or reasoning open, no second choice, no finish seen.
	 * Anything else cannot be continued faithfully by another attempt.
	 */
	continuable: boolean;
	/** The stream's chunk id, for the continuation's chunks to carry. */
	id: string | undefined;
}

/**
 * Reads the delivered events of a chat chunk stream (the internal representation, or an OpenAI channel's own
 * stream) after it broke. Runs once per break, never on a stream that ends well.
 */
export function chatTranscript(events: readonly string[]): Transcript {
	let text = "";
	let open: "none" | "text" | "other" = "none";
	let finished = false;
	let id: string | undefined;
	for (const data of events) {
		if (data === "[DONE]") finished = true;
		const chunk = data === "[DONE]" ? undefined : parseEvent(chatChunkSchema, data);
		if (!chunk || chunk.error) continue;
		id ??= chunk.id;
		for (const choice of chunk.choices ?? []) {
			if ((choice.index ?? 0) !== 0) open = "other";
			if (choice.finish_reason) finished = true;
			const delta = choice.delta;
			if (!delta) continue;
			if (delta.reasoning_content || delta.reasoning_signature || delta.tool_calls?.length) open = "other";
			if (delta.content) {
				if (open !== "other") open = "text";
				text += delta.content;
			}
		}
	}
	return { text, continuable: open !== "other" && !finished, id };
}
