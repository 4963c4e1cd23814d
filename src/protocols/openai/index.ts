import type { EgressCodec, IngressCodec } from "../codec";
import { readUsage } from "../usage";
import { chatCompletionAnswer, withUsage } from "./answer";
import { capOutput } from "./output-cap";
import { type ChatCompletionInput, toChat } from "./request";
import { openaiTap } from "./stream-tap";
import { chatTranscript } from "./stream-transcript";

/** Chat Completions is the internal representation: requests are read into it, answers go back as they are. */
export const openaiIngress: IngressCodec<ChatCompletionInput> = {
	wire: "openai",
	toChat,
	fromChat: (response) => response,
};

export const openaiEgress: EgressCodec = {
	fromChat: (request) => request,
	capOutput,
	// A throw here is the channel's fault: its answer is not a chat completion.
	toChat: (response) => chatCompletionAnswer.parse(response),
	tap: openaiTap,
	// The internal representation is this wire's own: a continuation's chunks join it as they are.
	resumeStream: (delivered) => ({ transcript: chatTranscript(delivered) }),
	readUsage(response) {
		const parsed = withUsage.safeParse(response);
		return parsed.success ? readUsage(parsed.data.usage) : undefined;
	},
};
