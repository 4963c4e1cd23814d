import { readUsage, type Usage } from "../../relay/usage";
import type { EgressCodec, IngressCodec } from "../codec";
import { anthropicProbe } from "./probe";
import { fromChat as requestFromChat, toChat as requestToChat } from "./request";
import { fromChat as responseFromChat, toChat as responseToChat } from "./response";
import { answerUsage, type MessagesInput, messageAnswer } from "./schema";
import { streamFromChat } from "./stream-from-chat";
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
	// A throw here is the channel's fault: its answer is not an Anthropic message.
	toChat: (response, model) => responseToChat(messageAnswer.parse(response), model),
	streamToChat,
	probe: anthropicProbe,
	readUsage(response): Usage | undefined {
		const parsed = answerUsage.safeParse(response);
		return parsed.success ? readUsage(chatUsage(parsed.data.usage)) : undefined;
	},
};
