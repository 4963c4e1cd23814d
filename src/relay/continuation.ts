import type { ModelOutcome } from "../../durable-objects/breaker-types";
import { type LiveChannel, upstreamModelFor } from "../channels/live";
import { config } from "../env";
import type { StreamResumption, Wire } from "../protocols/codec";
import { continuedChat } from "../protocols/continue-request";
import { egressCodecs } from "../protocols/egress";
import { openaiTap } from "../protocols/openai/stream-tap";
import { chatTranscript } from "../protocols/openai/stream-transcript";
import { sseTransform } from "../protocols/sse";
import { seamMapper } from "../protocols/stream-seam";
import type { StreamTap } from "../protocols/stream-tap";
import { providers } from "../providers/registry";
import { UnreadableAnswer } from "../providers/types";
import type { Admitted, Leg } from "./admit";
import { report, usability } from "./breakers";
import { failover } from "./failover";
import { recordBrokenAttempt } from "./record";
import type { ChatCall, RelayRequest } from "./request";
import { orderCandidates } from "./select";
import type { Resume, Resumed } from "./sse-meter";
import { translatedBody } from "./translate";

/** Where a broken stream goes on: a model, and the channels (in order) that may continue it. */
export interface ContinueTarget {
	model: string;
	candidates: readonly LiveChannel[];
}

/**
 * Where a broken stream goes on: the model it broke on, on its admitted channels not yet tried, then each later
 * model of an alias's chain (admitted with the request: priced, and covered by its hold), on its channels.
 */
export function alongChain(legs: readonly Leg[], model: string, tried: ReadonlySet<number>): ContinueTarget | undefined {
	const at = Math.max(
		0,
		legs.findIndex((leg) => leg.model === model),
	);
	for (const leg of legs.slice(at)) {
		const rest = leg.channels.filter((ch) => !tried.has(ch.id));
		if (rest.length > 0) return { model: leg.model, candidates: orderCandidates(rest) };
	}
	return undefined;
}

/** The header a client turns continuation off with, for one request. */
export const CONTINUE_HEADER = "x-gateway-continue";

export interface ContinuationInput {
	req: RelayRequest;
	call: ChatCall;
	promptTokens: () => number;
	admitted: Admitted;
	/** The channel the stream began on. */
	channel: LiveChannel;
	/** The wire of a stream passed through in its own dialect; undefined when the client gets chat chunks translated. */
	passthrough: Wire | undefined;
	forwardUsage: boolean;
	/** Learns each channel that takes the stream over, for the breakers' report when it ends. */
	onChannel: (channel: LiveChannel) => void;
}

/** Whether the request may be continued at all: the setting allows it, and neither the key nor the client said no. */
function wanted({ req }: ContinuationInput): boolean {
	if (config(req.env).streamMaxContinuations === 0 || !req.caller.streamContinuation) return false;
	return req.clientHeaders.get(CONTINUE_HEADER)?.trim().toLowerCase() !== "off";
}

/** A stream answer read inside the failover: anything but a stream is the channel's failure. */
async function readStream(response: Response): Promise<ReadableStream<Uint8Array>> {
	const isSse = response.headers.get("content-type")?.includes("text/event-stream") ?? false;
	if (!isSse || !response.body) throw new UnreadableAnswer("it did not answer with a stream");
	return response.body;
}

/**
 * How a streamed chat answer survives a dying channel: when it breaks after its first byte with only text in flight,
 * the rest is asked of another channel (the original request plus the text delivered, see continuedChat) and
 * spliced into the same client stream, at most STREAM_MAX_CONTINUATIONS times. Undefined when the request may not be
 * continued: then nothing here runs, and a stream that breaks ends with its error event as it always did.
 */
export function continuation(input: ContinuationInput): Resume | undefined {
	const { req, call, admitted, passthrough } = input;
	if (!wanted(input)) return undefined;
	const reading: ((delivered: readonly string[]) => StreamResumption) | undefined = passthrough
		? egressCodecs[passthrough].resumeStream
		: (delivered) => ({ transcript: chatTranscript(delivered) });
	if (!reading) return undefined;
	const { streamMaxContinuations: most, streamIdleTimeoutMs: idleMs } = config(req.env);
	const tried = new Set([input.channel.id]);
	let channel = input.channel;
	let model = call.chat.model;
	let used = 0;
	/** What the client was sent by the attempts before the current one, whose tap has seen only its own. */
	let earlier: readonly string[] = [];

	const target = () => alongChain(admitted.legs, model, tried);
	const read = (tap: StreamTap) => reading(earlier.length > 0 ? [...earlier, ...tap.delivered()] : tap.delivered());

	/** The broken attempt is settled: its own record, and its channel's failure for the breakers. */
	const settle = (tap: StreamTap, next: { channel: LiveChannel; attempts: number }, outcomes: { channel: LiveChannel; outcome: ModelOutcome }[]) => {
		const broken = { channel, outcome: { kind: "failure", at: Date.now(), message: "stream broken off", model } as const };
		req.waitUntil(Promise.all([recordBrokenAttempt(req, tap, input.promptTokens, used), report(req.env, [broken, ...outcomes])]));
		const { meter } = req;
		meter.attempts += next.attempts;
		meter.channelId = next.channel.id;
		meter.provider = next.channel.type;
		meter.upstreamModel = upstreamModelFor(next.channel, model);
	};

	const next = async (tap: StreamTap): Promise<Resumed | undefined> => {
		if (used >= most) return undefined;
		const { transcript, fromChat } = read(tap);
		const { text, id } = transcript;
		if (!transcript.continuable) return undefined;
		const to = target();
		if (!to) return undefined;
		const outcomes: { channel: LiveChannel; outcome: ModelOutcome }[] = [];
		const done = await failover(
			{
				op: "chat",
				stream: true,
				bodyFor: (p) => translatedBody(p, continuedChat({ ...call.chat, model: to.model }, text, p.prefill === true), true, admitted.outputCap),
				read: readStream,
				model: to.model,
				candidates: to.candidates,
				config: config(req.env),
				requestId: req.requestId,
				clientSignal: req.signal,
				clientHeaders: req.clientHeaders,
				env: req.env,
				waitUntil: (work) => req.waitUntil(work),
				trace: req.trace,
				priorAttempts: req.meter.attempts,
				continuation: true,
				onAttempt: (ch) => tried.add(ch.id),
				onOutcome: (ch, outcome) => outcomes.push({ channel: ch, outcome }),
			},
			Date.now(),
		).catch(() => {
			if (outcomes.length > 0) req.waitUntil(report(req.env, outcomes));
			return undefined;
		});
		if (!done) return undefined;
		used++;
		settle(tap, done, outcomes);
		earlier = [...earlier, ...tap.delivered()];
		channel = done.channel;
		model = to.model;
		req.meter.model = model;
		input.onChannel(channel);
		const wire = providers[channel.type].wire;
		const toChat = egressCodecs[wire].streamToChat;
		let body = done.answer;
		if (toChat) body = body.pipeThrough(sseTransform(toChat(model)));
		body = body.pipeThrough(sseTransform(seamMapper(text, id)));
		if (fromChat) body = body.pipeThrough(sseTransform(fromChat()));
		return { body, tap: passthrough ? egressCodecs[passthrough].tap(input.forwardUsage) : openaiTap(input.forwardUsage) };
	};

	return {
		idleMs,
		async ready(tap) {
			// Silence before any text is a model thinking without streaming it (OpenAI's reasoning models): waited for.
			const { transcript } = read(tap);
			if (used >= most || !transcript.continuable || !transcript.text) return false;
			const to = target();
			return to?.candidates.some((ch) => usability(ch.id, to.model) !== "no") ?? false;
		},
		next,
	};
}
