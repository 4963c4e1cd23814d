import type { EgressCodec, IngressCodec } from "../codec";
import type { ChatRequest, ChatResponse } from "../ir";
import { readUsage } from "../usage";
import { openaiTap } from "./stream-tap";

/** Chat Completions is the internal representation: both directions are the identity. */
export const openaiIngress: IngressCodec<ChatRequest> = {
	wire: "openai",
	toChat: (request) => request,
	fromChat: (response) => response,
};

export const openaiEgress: EgressCodec = {
	fromChat: (request) => request,
	toChat(response) {
		if (!Array.isArray((response as Partial<ChatResponse> | undefined)?.choices)) throw new TypeError("not a chat completion");
		return response as ChatResponse;
	},
	tap: openaiTap,
	readUsage: (response) => readUsage((response as { usage?: unknown } | undefined)?.usage),
};
