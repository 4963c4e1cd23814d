import type { EgressCodec, IngressCodec } from "../codec";
import { readUsage, type Usage } from "../usage";
import { capOutput } from "./output-cap";
import { fromChat as requestFromChat, toChat as requestToChat } from "./request";
import { fromChat as responseFromChat, toChat as responseToChat } from "./response";
import { answerUsage, type MessagesInput, messageAnswer } from "./schema";
import { streamFromChat } from "./stream-from-chat";
import { resumeAnthropic } from "./stream-resume";
import { anthropicTap } from "./stream-tap";
import { streamToChat } from "./stream-to-chat";
import { chatUsage } from "./usage";

export const anthropicIngress: IngressCodec<MessagesInput> = {
	wire: "anthropic",
	toChat: requestToChat,
	fromChat: responseFromChat,
	streamFromChat,
};

export const anthropicEgress: EgressCodec = {
	fromChat: (request) => ({ ...requestFromChat(request) }),
	capOutput,
	// A throw here is the channel's fault: its answer is not an Anthropic message.
	toChat: (response, model) => responseToChat(messageAnswer.parse(response), model),
	streamToChat,
	tap: anthropicTap,
	resumeStream: resumeAnthropic,
	readUsage(response): Usage | undefined {
		const parsed = answerUsage.safeParse(response);
		return parsed.success ? readUsage(chatUsage(parsed.data.usage)) : undefined;
	},
};
