import { answerOfStream } from "../cache/capture";
import { type CachePlan, keepAnswer } from "../cache/response-cache";
import type { LiveChannel } from "../channels/live";
import { egressCodecs } from "../protocols/egress";
import { openaiTap } from "../protocols/openai/stream-tap";
import { sseTransform } from "../protocols/sse";
import { providers } from "../providers/registry";
import type { Admitted } from "./admit";
import { report } from "./breakers";
import { continuation } from "./continuation";
import type { Dispatched } from "./failover";
import { recordStream, streamUsage } from "./record";
import { answered, type ChatCall, type RelayRequest } from "./request";
import { meterStream, type StreamSummary } from "./sse-meter";

const STREAM_HEADERS = {
	"content-type": "text/event-stream; charset=utf-8",
	"cache-control": "no-cache, no-transform",
	// Tells any proxy in front (nginx and friends) not to buffer the stream.
	"x-accel-buffering": "no",
};

/** The headers of a stream in the client's dialect. */
export function streamHeaders(ingress: ChatCall["ingress"]): Record<string, string> {
	return { ...STREAM_HEADERS, ...(ingress.streamContentType ? { "content-type": ingress.streamContentType } : {}) };
}

/**
 * A streamed answer on its way to the client: mapped event by event into the internal representation and on into
 * the client's dialect when the channel speaks another, metered as it goes, continued on another channel if it
 * breaks with only text in flight (the same model's other channels, then the next models of an alias's chain), and
 * recorded when it ends (the request's work is kept alive until then); with a cache `plan`, a stream that ends well
 * is kept in the cache.
 */
export function streamAnswer(
	req: RelayRequest,
	call: ChatCall,
	done: Dispatched & { admitted: Admitted },
	body: ReadableStream<Uint8Array>,
	promptTokens: () => number,
	plan?: CachePlan,
): Response {
	const { ingress, chat } = call;
	const model = chat.model;
	const wire = providers[done.channel.type].wire;
	const egress = egressCodecs[wire];
	const same = wire === ingress.wire;
	// Clients that do not speak OpenAI still need the usage chunk: their own stream format carries usage.
	const forwardUsage = ingress.wire !== "openai" || chat.stream_options?.include_usage === true;
	req.meter.deferred = true;
	// From the answer's headers to its last event; the trace is exported once it ends.
	const span = req.trace.start("stream", { attributes: { "gateway.channel.id": done.channel.id, "gen_ai.request.model": model } });
	let settle: () => void = () => {};
	req.waitUntil(new Promise<void>((resolve) => (settle = resolve)));
	let source = body;
	if (!same && egress.streamToChat) source = source.pipeThrough(sseTransform(egress.streamToChat(model)));
	const tap = same ? egress.tap(forwardUsage) : openaiTap(forwardUsage);
	let channel = done.channel;
	// A stream continued elsewhere is an answer pieced together from several attempts: served, never kept.
	let continued = false;
	const onChannel = (next: LiveChannel) => {
		channel = next;
		continued = true;
	};
	const passthrough = same ? wire : undefined;
	const resume = continuation({ req, call, promptTokens, admitted: done.admitted, channel, passthrough, forwardUsage, onChannel });
	const onEnd = (s: StreamSummary) => {
		// A stream the upstream broke off is a failure of the model on its channel, though the headers said 200.
		const broken =
			s.end === "upstream_failed"
				? report(req.env, [{ channel, outcome: { kind: "failure", at: Date.now(), message: "stream broken off", model: req.meter.model } }])
				: undefined;
		Promise.all([recordStream(req, s, promptTokens), broken]).then(settle, settle);
		if (plan && s.end === "complete" && !continued) {
			const answer = answerOfStream(tap.delivered(), same ? wire : "openai", model);
			if (answer) keepAnswer(req, plan, { answer, model, channelId: channel.id, usage: streamUsage(s, promptTokens) });
		}
		span.set({
			"gateway.stream.end": s.end,
			"gateway.channel.id": channel.id,
			"gateway.ttfb_ms": s.ttfbMs,
			"gen_ai.usage.input_tokens": s.usage?.promptTokens,
			"gen_ai.usage.output_tokens": s.usage?.completionTokens,
		});
		if (s.end === "upstream_failed") span.fail(s.end);
		span.end();
	};
	let out = meterStream(source, { tap, startedAt: req.meter.startedAt, onEnd, resume });
	if (!same && ingress.streamFromChat) out = out.pipeThrough(sseTransform(ingress.streamFromChat(model, promptTokens)));
	if (call.annotate) out = out.pipeThrough(sseTransform(call.annotate.stream()));
	return answered(req, out, streamHeaders(ingress));
}
