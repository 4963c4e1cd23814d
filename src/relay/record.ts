import type { StreamTap } from "../protocols/stream-tap";
import { tokensForChars, type Usage } from "../protocols/usage";
import type { RelayRequest } from "./request";
import type { StreamSummary } from "./sse-meter";

/**
 * The record of an answer that was not streamed, sent after the response; returns the usage it recorded. `promptTokens` is a function: estimating
 * the prompt costs a scan of it, needed only when the upstream reported no usage.
 */
export function recordAnswer(req: RelayRequest, reported: Usage | undefined, promptTokens: () => number, answerChars: number): Usage {
	const { meter } = req;
	const usage = reported ?? { promptTokens: promptTokens(), completionTokens: tokensForChars(answerChars), cachedTokens: 0 };
	req.waitUntil(meter.record({ status: 200, usage, estimated: !reported, ttfbMs: Date.now() - meter.startedAt }));
	meter.deferred = true;
	return usage;
}

/** What a stream used: as the upstream reported it when it completed, else the prompt and what was delivered, never more. */
export function streamUsage(s: Pick<StreamSummary, "end" | "usage" | "deliveredChars">, promptTokens: () => number): Usage {
	if (s.end === "complete" && s.usage) return s.usage;
	return {
		promptTokens: s.usage?.promptTokens ?? promptTokens(),
		completionTokens: tokensForChars(s.deliveredChars()),
		cachedTokens: s.usage?.cachedTokens ?? 0,
	};
}

/** The record of a stream once it ends: a stream cut short is billed for the prompt and what was delivered, never more. */
export function recordStream(req: RelayRequest, s: StreamSummary, promptTokens: () => number): Promise<void> {
	const usage = streamUsage(s, promptTokens);
	const status = s.end === "complete" ? 200 : s.end === "client_closed" ? 499 : 502;
	const errorCode = s.end === "complete" ? undefined : s.end === "client_closed" ? "client_closed" : "upstream_stream_failed";
	const estimated = s.end === "complete" ? !s.usage : true;
	return req.meter.record({ status, errorCode, usage, estimated, partial: s.end !== "complete", ttfbMs: s.ttfbMs });
}

/** The record of an attempt that broke off and was continued on another: what it delivered, under `<request id>.<attempt>`. */
export function recordBrokenAttempt(req: RelayRequest, tap: StreamTap, promptTokens: () => number, attempt: number): Promise<void> {
	const usage = streamUsage({ end: "upstream_failed", usage: tap.usage, deliveredChars: () => tap.deliveredChars() }, promptTokens);
	return req.meter.recordAttempt(attempt, { status: 502, errorCode: "stream_continued", usage, estimated: true, partial: true });
}
