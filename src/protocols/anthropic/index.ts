import type { EgressCodec, IngressCodec } from "../codec";
import { readUsage, type Usage } from "../usage";
import { fromChat as requestFromChat, toChat as requestToChat } from "./request";
import { fromChat as responseFromChat, toChat as responseToChat } from "./response";
import { streamFromChat } from "./stream-from-chat";
import { anthropicTap } from "./stream-tap";
import { streamToChat } from "./stream-to-chat";
import type { MessagesRequest, MessagesResponse } from "./types";
import { chatUsage } from "./usage";

export const anthropicIngress: IngressCodec<MessagesRequest> = {
	wire: "anthropic",
	toChat: requestToChat,
	fromChat: responseFromChat,
	streamFromChat,
};

export const anthropicEgress: EgressCodec = {
	fromChat: (request) => ({ ...requestFromChat(request) }),
	toChat: (response, model) => responseToChat(response as MessagesResponse, model),
	streamToChat,
	tap: anthropicTap,
	readUsage(response): Usage | undefined {
		const u = (response as Partial<MessagesResponse> | undefined)?.usage;
		return u ? readUsage(chatUsage(u)) : undefined;
	},
};
