import { z } from "zod";
import type { StreamResumption } from "../codec";
import { parseEvent } from "../stream-json";
import { streamFromChat } from "./stream-from-chat";

/** As much of each event as a broken stream's reading needs: every block kind counts, not only those the gateway maps. */
const eventSchema = z.object({
	type: z.string(),
	index: z.number().optional(),
	message: z.object({ id: z.string().optional(), model: z.string().optional() }).optional(),
	content_block: z.object({ type: z.string() }).optional(),
	delta: z.object({ type: z.string().optional(), text: z.string().optional() }).optional(),
});

/**
 * What an Anthropic client was sent of an Anthropic stream passed through before it broke, and how chat chunks go on
 * from there: text into the text block still open (or a new block numbered after the last), then the message's end.
 */
export function resumeAnthropic(delivered: readonly string[]): StreamResumption {
	let text = "";
	let open: "none" | "text" | "other" = "none";
	let finished = false;
	let id: string | undefined;
	let model = "";
	let next = 0;
	let openText: number | undefined;
	for (const data of delivered) {
		const e = parseEvent(eventSchema, data);
		if (!e) continue;
		if (e.type === "message_start") {
			id = e.message?.id;
			model = e.message?.model ?? "";
		} else if (e.type === "content_block_start" && e.index !== undefined) {
			next = e.index + 1;
			open = e.content_block?.type === "text" ? "text" : "other";
			openText = open === "text" ? e.index : undefined;
		} else if (e.type === "content_block_delta") {
			if (e.delta?.type === "text_delta") text += e.delta.text ?? "";
			else open = "other";
		} else if (e.type === "content_block_stop") openText = undefined;
		else if (e.type === "message_delta" || e.type === "message_stop") finished = true;
	}
	return {
		transcript: { text, continuable: open !== "other" && !finished, id },
		fromChat: () => streamFromChat(model, undefined, { next, openText }),
	};
}
