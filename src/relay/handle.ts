import type { Context } from "hono";
import type { AppEnv } from "../env";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import type { Operation } from "../providers/types";
import { enabledChannels, servable } from "./channels";
import { dispatch } from "./dispatch";
import type { UsageMeter } from "./meter";
import { orderCandidates } from "./select";
import { meterStream } from "./sse-meter";
import { estimateTokens, readUsage } from "./usage";

const STREAM_HEADERS = {
	"content-type": "text/event-stream; charset=utf-8",
	"cache-control": "no-cache, no-transform",
	// Tells any proxy in front (nginx and friends) not to buffer the stream.
	"x-accel-buffering": "no",
};

function promptChars(body: Record<string, unknown>): number {
	return JSON.stringify(body.messages ?? body.input ?? "").length;
}

/**
 * One relay request after validation: checks the caller may use the model, picks channels, dispatches with
 * failover, and relays the answer (streams pass through as they arrive) while metering usage on the side.
 */
export async function relay(c: Context<AppEnv>, meter: UsageMeter, op: Operation, body: Record<string, unknown>): Promise<Response> {
	const caller = c.get("caller");
	const model = String(body.model);
	meter.model = model;
	if (caller.models && !caller.models.includes(model)) {
		throw new GatewayError("model_not_allowed", `This API key may not use model '${model}'`, { param: "model" });
	}
	const candidates = servable(await enabledChannels(c.env), model, caller.group);
	if (candidates.length === 0) {
		throw new GatewayError("model_not_available", `No channel is available for model '${model}'`, { param: "model" });
	}

	const wantsStream = op === "chat" && body.stream === true;
	const clientOptions = body.stream_options as { include_usage?: unknown } | null | undefined;
	const forwardUsage = clientOptions?.include_usage === true;
	const upstreamBody = wantsStream ? { ...body, stream_options: { ...clientOptions, include_usage: true } } : body;
	meter.stream = wantsStream;

	const done = await dispatch(
		{
			op,
			body: upstreamBody,
			model,
			candidates: orderCandidates(candidates),
			config: config(c.env),
			requestId: c.get("requestId"),
			clientSignal: c.req.raw.signal,
			onAttempt: (channel, attempt, upstreamModel) => {
				meter.channelId = channel.id;
				meter.attempts = attempt;
				meter.upstreamModel = upstreamModel;
			},
		},
		meter.startedAt,
	);
	c.header("x-gateway-channel", String(done.channel.id));
	c.header("x-gateway-attempts", String(done.attempts));

	const upstream = done.response;
	const isSse = upstream.headers.get("content-type")?.includes("text/event-stream") ?? false;
	if (wantsStream && isSse && upstream.body) {
		meter.deferred = true;
		let settle: () => void = () => {};
		c.executionCtx.waitUntil(new Promise<void>((resolve) => (settle = resolve)));
		const stream = meterStream(upstream.body, {
			forwardUsage,
			startedAt: meter.startedAt,
			onEnd: (s) => {
				const estimated = s.end === "complete" ? !s.usage : true;
				// A stream cut short is billed for the prompt and what was delivered, never for what was not.
				const usage =
					s.end === "complete" && s.usage
						? s.usage
						: {
								promptTokens: s.usage?.promptTokens ?? estimateTokens(promptChars(body)),
								completionTokens: estimateTokens(s.deliveredChars()),
								cachedTokens: s.usage?.cachedTokens ?? 0,
							};
				const status = s.end === "complete" ? 200 : s.end === "client_closed" ? 499 : 502;
				const errorCode = s.end === "complete" ? undefined : s.end === "client_closed" ? "client_closed" : "upstream_stream_failed";
				meter.record({ status, errorCode, usage, estimated, partial: s.end !== "complete", ttfbMs: s.ttfbMs }).then(settle, settle);
			},
		});
		return c.body(stream, 200, STREAM_HEADERS);
	}

	let text: string;
	try {
		text = await upstream.text();
	} catch {
		// Headers arrived but the body did not: nothing reached the client yet, yet the request was spent upstream.
		throw new GatewayError("upstream_error", `The upstream connection failed while sending its response (request id ${c.get("requestId")})`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	const reported = readUsage((parsed as { usage?: unknown } | undefined)?.usage);
	const usage = reported ?? {
		promptTokens: estimateTokens(promptChars(body)),
		completionTokens: estimateTokens(op === "chat" ? text.length : 0),
		cachedTokens: 0,
	};
	const ttfbMs = Date.now() - meter.startedAt;
	c.executionCtx.waitUntil(meter.record({ status: 200, usage, estimated: !reported, ttfbMs }));
	meter.deferred = true;
	return c.body(text, 200, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
}
