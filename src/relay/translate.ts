import { asRecord } from "../lib/json-depth";
import { egressCodecs } from "../protocols/egress";
import type { ChatRequest } from "../protocols/ir";
import type { Provider } from "../providers/types";
import type { ChatCall } from "./request";

/**
 * The request in each channel's wire. A channel speaking the client's dialect gets the client's body untouched (but
 * for model and auth); any other gets it through the internal representation. An OpenAI-wire stream always asks
 * for the usage chunk: the meter needs it, and clients that do not speak OpenAI read usage from their own format.
 * With `outputCap` (all the caller's budget pays for) the body allows no more output; that change is the gateway's,
 * so a body passed through then takes the provider's own adjustments too, as a translated one does.
 */
export function requestFor(call: ChatCall): (p: Provider, outputCap?: number) => Record<string, unknown> {
	const { ingress, chat, stream } = call;
	const withUsage = (body: Record<string, unknown>) => (stream ? { ...body, stream_options: { ...asRecord(body.stream_options), include_usage: true } } : body);
	return (p, outputCap) => {
		const egress = egressCodecs[p.wire];
		const adapt = (body: Record<string, unknown>) => (p.adaptTranslated ? p.adaptTranslated(body) : body);
		let body: Record<string, unknown>;
		if (p.wire === ingress.wire) body = outputCap === undefined ? call.native : adapt(egress.capOutput(call.native, outputCap));
		else body = translatedBody(p, chat, outputCap);
		return p.wire === "openai" ? withUsage(body) : body;
	};
}

/** A chat request in a channel's wire through the internal representation, with the provider's own adjustments. */
export function translatedBody(p: Provider, chat: ChatRequest, outputCap?: number): Record<string, unknown> {
	const egress = egressCodecs[p.wire];
	const translated = egress.fromChat(chat);
	const body = outputCap === undefined ? translated : egress.capOutput(translated, outputCap);
	return p.adaptTranslated ? p.adaptTranslated(body) : body;
}
