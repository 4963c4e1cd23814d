import type { StreamProbe } from "../codec";
import { parseJson, sse } from "../sse";
import type { Usage } from "../usage";
import { geminiErrorOf } from "./stream-from-chat";
import type { GeminiError, GenerateContentResponse } from "./types";
import { readGeminiUsage } from "./usage";

// Cheap tests on an event's raw JSON, so that most events are never parsed. Inside a JSON string these would
// appear with escaped quotes, so generated text cannot trigger them.
const HAS_USAGE = /"usageMetadata"\s*:\s*\{/;
const HAS_FINISH = /"finishReason"\s*:\s*"/;
const IS_ERROR = /^\s*\{\s*"error"\s*:/;

function responseChars(data: string): number {
	const response = parseJson(data) as GenerateContentResponse | undefined;
	let n = 0;
	for (const part of response?.candidates?.[0]?.content?.parts ?? []) {
		if (typeof part.text === "string") n += part.text.length;
		if (part.functionCall) n += JSON.stringify(part.functionCall.args ?? {}).length;
	}
	return n;
}

/**
 * Gemini's own stream, passed through to a Gemini client: complete once a candidate has a finish reason, failed on
 * an `{"error":…}` event. Usage is cumulative and every event may carry it, so only the last one's data is kept
 * and parsed when asked. Nothing is held back: Gemini clients read usage from the stream itself.
 */
export function geminiProbe(_forwardUsage: boolean): StreamProbe {
	const delivered: string[] = [];
	let lastUsage: string | undefined;
	let sawFinish = false;
	let failed = false;
	return {
		inspect(data) {
			if (IS_ERROR.test(data) && (parseJson(data) as Partial<GeminiError> | undefined)?.error) failed = true;
			if (!sawFinish && HAS_FINISH.test(data)) sawFinish = true;
			if (HAS_USAGE.test(data)) lastUsage = data;
			delivered.push(data);
			return true;
		},
		get complete() {
			return sawFinish && !failed;
		},
		get failed() {
			return failed;
		},
		get usage(): Usage | undefined {
			return lastUsage === undefined ? undefined : readGeminiUsage(parseJson(lastUsage));
		},
		deliveredChars() {
			return delivered.reduce((n, data) => n + responseChars(data), 0);
		},
		errorEvent(message) {
			return sse(geminiErrorOf({ message, code: "upstream_error" }));
		},
	};
}
