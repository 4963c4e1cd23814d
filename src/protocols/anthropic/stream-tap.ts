import { z } from "zod";
import { sse } from "../sse";
import { isJson, parseEvent } from "../stream-json";
import { type StreamTap, streamTap } from "../stream-tap";
import { readUsage, type Usage } from "../usage";
import { type AnthropicStreamUsage, anthropicEventSchema, mergeUsage } from "./stream-events";
import { chatUsage } from "./usage";

const eventOf = (data: string) => parseEvent(anthropicEventSchema, data);

/** Only an event's type decides how the stream stands; an error event counts whatever shape its error has. */
const typed = z.object({ type: z.string() });

function usageOf(events: readonly string[]): Usage | undefined {
	const usage: AnthropicStreamUsage = {};
	for (const data of events) {
		const e = eventOf(data);
		if (e?.type === "message_start") mergeUsage(usage, e.message.usage);
		if (e?.type === "message_delta") mergeUsage(usage, e.usage);
	}
	// The same mapping as a whole message's usage: cache reads and writes counted into the prompt.
	return readUsage(chatUsage(usage));
}

function charsOf(data: string): number {
	const e = eventOf(data);
	if (e?.type !== "content_block_delta") return 0;
	const d = e.delta;
	if (d.type === "text_delta") return d.text.length;
	if (d.type === "thinking_delta") return d.thinking.length;
	return d.type === "input_json_delta" ? d.partial_json.length : 0;
}

/**
 * Anthropic's own stream passed through: usage from message_start and message_delta, complete at message_stop, failed
 * on an error event or one that is not JSON.
 */
export function anthropicTap(): StreamTap {
	return streamTap({
		read(data) {
			const type = parseEvent(typed, data)?.type;
			if (type === undefined && !isJson(data)) return { unreadable: true };
			return { ends: type === "message_stop", fails: type === "error", carriesUsage: type === "message_start" || type === "message_delta" };
		},
		usage: usageOf,
		chars: charsOf,
		errorEvent: (message) => sse({ type: "error", error: { type: "api_error", message } }, "error"),
	});
}
