import type { IngressCodec } from "../codec";
import type { FileSearch } from "../file-search";
import { toChat } from "./request";
import type { ResponsesRequest } from "./request-schema";
import { fromChat, responseHead } from "./response";
import { settingsOf } from "./settings";
import { streamFromChat } from "./stream";

/**
 * The OpenAI Responses dialect. No channel speaks it, so every call goes through the internal representation.
 * A Response echoes its request's settings (tools, instructions, temperature…), so the route builds one codec
 * per request with `responsesIngressFor`; `responsesIngress` echoes none.
 */
export function responsesIngressFor(request?: ResponsesRequest, fileSearch?: FileSearch): IngressCodec<ResponsesRequest> {
	const settings = settingsOf(request);
	return {
		wire: undefined,
		toChat,
		fromChat: (response, model) => fromChat(response, responseHead(model, settings, fileSearch)),
		streamFromChat: (model) => streamFromChat(responseHead(model, settings, fileSearch)),
	};
}

export const responsesIngress: IngressCodec<ResponsesRequest> = responsesIngressFor();

export type { ResponsesRequest } from "./request-schema";
