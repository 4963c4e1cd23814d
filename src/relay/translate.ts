import { asRecord } from "../lib/json-depth";
import { egressCodecs } from "../protocols/egress";
import type { ChatRequest } from "../protocols/ir";
import type { Provider } from "../providers/types";
import type { ChatCall } from "./request";

/**
 * An OpenAI-wire stream always asks for the usage chunk: the meter needs it, and clients that do not speak OpenAI
 * read usage from their own format.
 */
function withUsage(p: Provider, stream: boolean, body: Record<string, unknown>): Record<string, unknown> {
	return p.wire === "openai" && stream ? { ...body, stream_options: { ...asRecord(body.stream_options), include_usage: true } } : body;
}

/**
 * The request in each channel's wire. A channel speaking the client's dialect gets the client's body untouched (but
 * for model and auth, and the usage chunk asked for); any other gets it through the internal representation.
 * With `outputCap` (all the caller's budget pays for) the body allows no more output; that change is the gateway's,
 * so a body passed through then takes the provider's own adjustments too, as a translated one does.
 */
export function requestFor(call: ChatCall): (p: Provider, outputCap?: number) => Record<string, unknown> {
	const { ingress, chat, stream } = call;
	return (p, outputCap) => {
		if (p.wire !== ingress.wire) return translatedBody(p, chat, stream, outputCap);
		if (outputCap === undefined) return withUsage(p, stream, call.native);
		const capped = egressCodecs[p.wire].capOutput(call.native, outputCap);
		return withUsage(p, stream, p.adaptTranslated ? p.adaptTranslated(capped) : capped);
	};
}

/** A chat request in a channel's wire through the internal representation, with the provider's own adjustments. */
export function translatedBody(p: Provider, chat: ChatRequest, stream: boolean, outputCap?: number): Record<string, unknown> {
	const egress = egressCodecs[p.wire];
	const translated = egress.fromChat(chat);
	const capped = outputCap === undefined ? translated : egress.capOutput(translated, outputCap);
	return withUsage(p, stream, p.adaptTranslated ? p.adaptTranslated(capped) : capped);
}
