import { GatewayError } from "../errors/gateway-error";
import { asRecord, parseBoundedJson, parseShallowRead } from "../lib/json-depth";
import type { EgressCodec } from "../protocols/codec";
import { egressCodecs } from "../protocols/egress";
import type { ChatResponse } from "../protocols/ir";
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
		else {
			const translated = egress.fromChat(chat);
			body = adapt(outputCap === undefined ? translated : egress.capOutput(translated, outputCap));
		}
		return p.wire === "openai" ? withUsage(body) : body;
	};
}

/**
 * An upstream's whole answer, as text and, when it is JSON, parsed. Only an answer the gateway will translate needs
 * its nesting bounded (`bounded`): the codecs and JSON.stringify recurse over it. An answer passed through is read
 * only for its usage, by a schema that never descends into the rest, and JSON.parse itself does not recurse; so it
 * is spared the scan, which costs about half as much again as the parse on a 1,536-dimension embedding.
 */
export async function readAnswer(upstream: Response, requestId: string, bounded: boolean): Promise<{ text: string; json: unknown }> {
	let text: string;
	try {
		text = await upstream.text();
	} catch {
		// Headers arrived but the body did not: nothing reached the client yet, yet the request was spent upstream.
		throw new GatewayError("upstream_error", `The upstream connection failed while sending its response (request id ${requestId})`);
	}
	return { text, json: bounded ? parseBoundedJson(text) : parseShallowRead(text) };
}

/** An answer in a channel's wire, read into the internal representation and written in the client's dialect. */
export function translateAnswer(call: ChatCall, egress: EgressCodec, json: unknown, requestId: string): { answer: ChatResponse; translated: unknown } {
	const model = call.chat.model;
	try {
		if (json === undefined) throw new Error("not JSON");
		const answer = egress.toChat(json, model);
		return { answer, translated: call.ingress.fromChat(answer, model) };
	} catch {
		// Not JSON, or not the shape of the channel's wire: the channel is not what its type says.
		throw new GatewayError("upstream_error", `The upstream's answer could not be read as its API's format (request id ${requestId})`);
	}
}
