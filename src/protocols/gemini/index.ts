import type { EgressCodec, IngressCodec } from "../codec";
import { capOutput } from "./output-cap";
import { requestFromChat } from "./request-from-chat";
import { requestToChat } from "./request-to-chat";
import { responseFromChat, responseToChat } from "./response";
import { streamFromChat } from "./stream-from-chat";
import { resumeGemini } from "./stream-resume";
import { geminiTap } from "./stream-tap";
import { streamToChat } from "./stream-to-chat";
import type { GenerateContentRequest } from "./types";
import { readGeminiUsage } from "./usage";

/** Gemini channels: generateContent bodies out, responses and `alt=sse` streams back. */
export const geminiEgress: EgressCodec = {
	fromChat: requestFromChat,
	capOutput,
	toChat: responseToChat,
	streamToChat,
	tap: geminiTap,
	resumeStream: resumeGemini,
	readUsage: readGeminiUsage,
};

/**
 * Gemini clients. With `sse` the stream is SSE, as `?alt=sse` asks; without it, the JSON array Gemini sends by
 * default. Gemini channels always stream SSE, so only the SSE form can be passed through untouched: the array
 * form claims no wire and always goes through the internal representation.
 */
export function geminiIngress(sse: boolean): IngressCodec<GenerateContentRequest> {
	return {
		wire: sse ? "gemini" : undefined,
		toChat: requestToChat,
		fromChat: responseFromChat,
		streamFromChat: (model) => streamFromChat(model, sse ? "sse" : "json-array"),
		...(sse ? {} : { streamContentType: "application/json" }),
	};
}
