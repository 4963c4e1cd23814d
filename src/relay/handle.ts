import type { Context } from "hono";
import type { AttemptOutcome } from "../../durable-objects/breaker-types";
import { currentPrices } from "../billing/price-book";
import type { AppEnv } from "../env";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import type { IngressCodec } from "../protocols/codec";
import { egressCodecs } from "../protocols/egress";
import type { ChatRequest, ChatResponse } from "../protocols/ir";
import { openaiTap } from "../protocols/openai/stream-tap";
import { sseTransform } from "../protocols/sse";
import { providers } from "../providers/registry";
import type { Operation, Provider } from "../providers/types";
import { report } from "./breakers";
import { enabledChannels, type LiveChannel, servable } from "./channels";
import { type Dispatched, dispatch } from "./dispatch";
import { admit, type Estimate } from "./governor";
import type { UsageMeter } from "./meter";
import { orderCandidates } from "./select";
import { meterStream, type StreamSummary } from "./sse-meter";
import { estimateTokens, readUsage, type Usage } from "./usage";

const STREAM_HEADERS = {
	"content-type": "text/event-stream; charset=utf-8",
	"cache-control": "no-cache, no-transform",
	// Tells any proxy in front (nginx and friends) not to buffer the stream.
	"x-accel-buffering": "no",
};

/** A chat request as a client sent it, and in the internal representation. */
export interface ChatCall {
	ingress: IngressCodec<never>;
	/** The client's body as validated: what a channel of the same wire receives. */
	native: Record<string, unknown>;
	chat: ChatRequest;
	stream: boolean;
}

/**
 * The client's model, checked against the key and the price list and resolved to channels that serve it and the
 * operation; then the request is admitted by the caller's governors (if it has limits), or refused.
 */
async function candidatesFor(c: Context<AppEnv>, meter: UsageMeter, op: Operation, model: string, estimate: () => Estimate) {
	const caller = c.get("caller");
	if (caller.models && !caller.models.includes(model)) {
		throw new GatewayError("model_not_allowed", `This API key may not use model '${model}'`, { param: "model" });
	}
	const book = await currentPrices(c.env);
	if (!book.isPriced(model) && !config(c.env).allowUnpriced) {
		throw new GatewayError("model_not_priced", `Model '${model}' has no price; an operator must set one (PUT /api/prices/${model}) before it can be used`, {
			param: "model",
		});
	}
	meter.prices = book;
	const candidates = servable(await enabledChannels(c.env), model, caller.group).filter((ch) => providers[ch.type].operations.includes(op));
	if (candidates.length === 0) {
		throw new GatewayError("model_not_available", `No channel is available for model '${model}'`, { param: "model" });
	}
	await admit(
		c,
		book,
		model,
		candidates.map((ch) => ch.id),
		estimate,
	);
	return orderCandidates(candidates);
}

interface SendInput {
	op: Operation;
	model: string;
	stream: boolean;
	bodyFor: (p: Provider) => Record<string, unknown>;
	/** For the governors, only when the caller has limits. */
	estimate: () => Estimate;
}

async function send(c: Context<AppEnv>, meter: UsageMeter, { op, model, stream, bodyFor, estimate }: SendInput) {
	meter.model = model;
	meter.stream = stream;
	const candidates = await candidatesFor(c, meter, op, model, estimate);
	const outcomes: { channel: LiveChannel; outcome: AttemptOutcome }[] = [];
	// Reported after the response, whatever it was: the breakers learn from failed requests most of all.
	const reportOutcomes = () => {
		if (outcomes.length > 0) c.executionCtx.waitUntil(report(c.env, outcomes));
	};
	const done = await dispatch(
		{
			op,
			stream,
			bodyFor,
			model,
			candidates,
			config: config(c.env),
			requestId: c.get("requestId"),
			clientSignal: c.req.raw.signal,
			clientHeaders: c.req.raw.headers,
			env: c.env,
			onAttempt: (channel, attempt, upstreamModel) => {
				meter.channelId = channel.id;
				meter.attempts = attempt;
				meter.upstreamModel = upstreamModel;
			},
			onOutcome: (channel, outcome) => outcomes.push({ channel, outcome }),
		},
		meter.startedAt,
	).finally(reportOutcomes);
	c.header("x-gateway-channel", String(done.channel.id));
	c.header("x-gateway-attempts", String(done.attempts));
	return done;
}

async function readBody(c: Context<AppEnv>, upstream: Response): Promise<{ text: string; json: unknown }> {
	let text: string;
	try {
		text = await upstream.text();
	} catch {
		// Headers arrived but the body did not: nothing reached the client yet, yet the request was spent upstream.
		throw new GatewayError("upstream_error", `The upstream connection failed while sending its response (request id ${c.get("requestId")})`);
	}
	try {
		return { text, json: JSON.parse(text) };
	} catch {
		return { text, json: undefined };
	}
}

/** `promptChars` is a function: measuring the prompt costs a serialization, needed only when the upstream reported no usage. */
function recordAnswer(c: Context<AppEnv>, meter: UsageMeter, reported: Usage | undefined, promptChars: () => number, answerChars: number) {
	const usage = reported ?? { promptTokens: estimateTokens(promptChars()), completionTokens: estimateTokens(answerChars), cachedTokens: 0 };
	c.executionCtx.waitUntil(meter.record({ status: 200, usage, estimated: !reported, ttfbMs: Date.now() - meter.startedAt }));
	meter.deferred = true;
}

/** The record of a stream once it ends: a stream cut short is billed for the prompt and what was delivered, never more. */
function recordStream(meter: UsageMeter, s: StreamSummary, promptChars: () => number): Promise<void> {
	const usage =
		s.end === "complete" && s.usage
			? s.usage
			: {
					promptTokens: s.usage?.promptTokens ?? estimateTokens(promptChars()),
					completionTokens: estimateTokens(s.deliveredChars()),
					cachedTokens: s.usage?.cachedTokens ?? 0,
				};
	const status = s.end === "complete" ? 200 : s.end === "client_closed" ? 499 : 502;
	const errorCode = s.end === "complete" ? undefined : s.end === "client_closed" ? "client_closed" : "upstream_stream_failed";
	const estimated = s.end === "complete" ? !s.usage : true;
	return meter.record({ status, errorCode, usage, estimated, partial: s.end !== "complete", ttfbMs: s.ttfbMs });
}

/**
 * One chat request after validation, whatever dialect the client speaks: picks channels, dispatches with
 * failover, and answers in the client's dialect. A channel speaking the client's dialect gets the client's body
 * untouched (but for model and auth); any other gets it through the internal representation, and its answer
 * (streams included, event by event) comes back the same way. Usage is metered on the side.
 */
export async function relayChat(c: Context<AppEnv>, meter: UsageMeter, call: ChatCall): Promise<Response> {
	const { ingress, chat, stream } = call;
	const model = chat.model;
	// Clients that do not speak OpenAI still need the usage chunk: their own stream format carries usage.
	const clientOptions = chat.stream_options;
	const forwardUsage = ingress.wire !== "openai" || clientOptions?.include_usage === true;
	const withUsage = (body: Record<string, unknown>) =>
		stream ? { ...body, stream_options: { ...(body.stream_options as object | undefined), include_usage: true } } : body;
	const bodyFor = (p: Provider) => {
		if (p.wire === ingress.wire) return p.wire === "openai" ? withUsage(call.native) : call.native;
		const translated = egressCodecs[p.wire].fromChat(chat);
		const body = p.adaptTranslated ? p.adaptTranslated(translated) : translated;
		return p.wire === "openai" ? withUsage(body) : body;
	};
	const promptChars = () => JSON.stringify(chat.messages).length;
	const estimate = () => ({
		promptTokens: estimateTokens(promptChars()),
		outputTokens: chat.max_completion_tokens ?? chat.max_tokens ?? config(c.env).reserveDefaultOutputTokens,
	});
	const done: Dispatched = await send(c, meter, { op: "chat", model, stream, bodyFor, estimate });
	const wire = providers[done.channel.type].wire;
	const egress = egressCodecs[wire];
	const same = wire === ingress.wire;
	const upstream = done.response;

	const isSse = upstream.headers.get("content-type")?.includes("text/event-stream") ?? false;
	if (stream && isSse && upstream.body) {
		meter.deferred = true;
		let settle: () => void = () => {};
		c.executionCtx.waitUntil(new Promise<void>((resolve) => (settle = resolve)));
		let source: ReadableStream<Uint8Array> = upstream.body;
		if (!same && egress.streamToChat) source = source.pipeThrough(sseTransform(egress.streamToChat(model)));
		const tap = same ? egress.tap(forwardUsage) : openaiTap(forwardUsage);
		const onEnd = (s: StreamSummary) => {
			// A stream the upstream broke off is a failure of its channel, though the headers said 200.
			const broken =
				s.end === "upstream_failed"
					? report(c.env, [{ channel: done.channel, outcome: { kind: "failure", at: Date.now(), message: "stream broken off" } }])
					: undefined;
			Promise.all([recordStream(meter, s, promptChars), broken]).then(settle, settle);
		};
		let out = meterStream(source, { tap, startedAt: meter.startedAt, onEnd });
		if (!same && ingress.streamFromChat) out = out.pipeThrough(sseTransform(ingress.streamFromChat(model)));
		return c.body(out, 200, { ...STREAM_HEADERS, ...(ingress.streamContentType ? { "content-type": ingress.streamContentType } : {}) });
	}

	const { text, json } = await readBody(c, upstream);
	if (same) {
		recordAnswer(c, meter, egress.readUsage(json), promptChars, text.length);
		return c.body(text, 200, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
	}
	let answer: ChatResponse;
	let translated: unknown;
	try {
		if (json === undefined) throw new Error("not JSON");
		answer = egress.toChat(json, model);
		translated = ingress.fromChat(answer, model);
	} catch {
		// Not JSON, or not the shape of the channel's wire: the channel is not what its type says.
		throw new GatewayError("upstream_error", `The upstream's answer could not be read as its API's format (request id ${c.get("requestId")})`);
	}
	recordAnswer(c, meter, readUsage(answer.usage), promptChars, text.length);
	return c.json(translated as object, 200);
}

/** Embeddings: OpenAI's format on the way in and out; a provider with another wire translates inside itself. */
export async function relayEmbeddings(c: Context<AppEnv>, meter: UsageMeter, body: Record<string, unknown>): Promise<Response> {
	const inputChars = () => JSON.stringify(body.input ?? "").length;
	const estimate = () => ({ promptTokens: estimateTokens(inputChars()), outputTokens: 0 });
	const done = await send(c, meter, { op: "embeddings", model: String(body.model), stream: false, bodyFor: () => body, estimate });
	const { text, json } = await readBody(c, done.response);
	recordAnswer(c, meter, readUsage((json as { usage?: unknown } | undefined)?.usage), inputChars, 0);
	return c.body(text, 200, { "content-type": done.response.headers.get("content-type") ?? "application/json" });
}
