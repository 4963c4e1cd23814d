import { asRecord } from "../lib/json-depth";
import { egressCodecs } from "../protocols/egress";
import type { Provider } from "../providers/types";
import type { ChatCall } from "./request";

/**
 * The request in each channel's wire. A channel speaking the client's dialect gets the client's body untouched (but
 * for model and auth); any other gets it through the internal representation. An OpenAI-wire stream always asks
 * for the usage chunk: the meter needs it, and clients that do not speak OpenAI read usage from their own format.
 */
export function requestFor(call: ChatCall): (p: Provider) => Record<string, unknown> {
	const { ingress, chat, stream } = call;
	const withUsage = (body: Record<string, unknown>) => (stream ? { ...body, stream_options: { ...asRecord(body.stream_options), include_usage: true } } : body);
	return (p) => {
		if (p.wire === ingress.wire) return p.wire === "openai" ? withUsage(call.native) : call.native;
		const translated = egressCodecs[p.wire].fromChat(chat);
		const body = p.adaptTranslated ? p.adaptTranslated(translated) : translated;
		return p.wire === "openai" ? withUsage(body) : body;
	};
}
