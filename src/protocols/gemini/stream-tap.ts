import { sse } from "../sse";
import { isJson, parseEvent } from "../stream-json";
import { type StreamTap, startsWithError, streamTap } from "../stream-tap";
import type { Usage } from "../usage";
import { geminiEventSchema } from "./stream-event";
import { geminiErrorOf } from "./stream-from-chat";
import { readGeminiUsage } from "./usage";

// Cheap tests on an event's raw JSON, so that most events are never parsed.
const HAS_USAGE = /"usageMetadata"\s*:\s*\{/;
const HAS_FINISH = /"finishReason"\s*:\s*"/;

const eventOf = (data: string) => parseEvent(geminiEventSchema, data);

/** Usage is cumulative and every event may carry it: the last one's counts. */
const usageOf = (events: readonly string[]): Usage | undefined => readGeminiUsage(eventOf(events.at(-1) ?? ""));

function charsOf(data: string): number {
	let n = 0;
	for (const part of eventOf(data)?.candidates?.[0]?.content?.parts ?? []) {
		if (part.text !== undefined) n += part.text.length;
		if (part.functionCall) n += JSON.stringify(part.functionCall.args ?? {}).length;
	}
	return n;
}

/**
 * Gemini's own stream, passed through to a Gemini client: complete once a candidate has a finish reason, failed on
 * an `{"error":…}` event or one that is not JSON. Nothing is held back: Gemini clients read usage from the stream itself.
 */
export function geminiTap(_forwardUsage: boolean): StreamTap {
	return streamTap({
		read: (data) =>
			isJson(data)
				? { ends: HAS_FINISH.test(data), fails: startsWithError.test(data) && Boolean(eventOf(data)?.error), carriesUsage: HAS_USAGE.test(data) }
				: { unreadable: true },
		usage: usageOf,
		chars: charsOf,
		errorEvent: (message) => sse(geminiErrorOf({ message, code: "upstream_error" })),
	});
}
