import { z } from "zod";
import type { StreamResumption } from "../codec";
import { parseEvent } from "../stream-json";
import { geminiEventSchema } from "./stream-event";
import { streamFromChat } from "./stream-from-chat";

const ids = z.object({ responseId: z.string().optional(), modelVersion: z.string().optional() });

/**
 * What a Gemini client was sent of a Gemini stream passed through (always SSE) before it broke, and how chat chunks
 * go on from there: each response stands alone, so the continuation's are simply more of them, under the same id.
 */
export function resumeGemini(delivered: readonly string[]): StreamResumption {
	let text = "";
	let other = false;
	let finished = false;
	let id: string | undefined;
	let model = "";
	for (const data of delivered) {
		const e = parseEvent(geminiEventSchema, data);
		if (!e || e.error) continue;
		const names = parseEvent(ids, data);
		id ??= names?.responseId;
		model ||= names?.modelVersion ?? "";
		const candidate = e.candidates?.[0];
		if ((e.candidates?.length ?? 0) > 1 || candidate?.finishReason) finished = true;
		for (const part of candidate?.content?.parts ?? []) {
			if (part.thought || part.functionCall) other = true;
			else if (part.text) text += part.text;
		}
	}
	return { transcript: { text, continuable: !other && !finished, id }, fromChat: () => streamFromChat(model, "sse") };
}
