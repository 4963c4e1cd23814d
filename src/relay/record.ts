import { tokensForChars, type Usage } from "../protocols/usage";
import type { RelayRequest } from "./request";
import type { StreamSummary } from "./sse-meter";

/**
 * The record of an answer that was not streamed, sent after the response. `promptTokens` is a function: estimating
 * the prompt costs a scan of it, needed only when the upstream reported no usage.
 */
export function recordAnswer(req: RelayRequest, reported: Usage | undefined, promptTokens: () => number, answerChars: number): void {
	const { meter } = req;
	const usage = reported ?? { promptTokens: promptTokens(), completionTokens: tokensForChars(answerChars), cachedTokens: 0 };
	req.waitUntil(meter.record({ status: 200, usage, estimated: !reported, ttfbMs: Date.now() - meter.startedAt }));
	meter.deferred = true;
}

/** The record of a stream once it ends: a stream cut short is billed for the prompt and what was delivered, never more. */
export function recordStream(req: RelayRequest, s: StreamSummary, promptTokens: () => number): Promise<void> {
	const usage =
		s.end === "complete" && s.usage
			? s.usage
			: {
					promptTokens: s.usage?.promptTokens ?? promptTokens(),
					completionTokens: tokensForChars(s.deliveredChars()),
					cachedTokens: s.usage?.cachedTokens ?? 0,
				};
	const status = s.end === "complete" ? 200 : s.end === "client_closed" ? 499 : 502;
	const errorCode = s.end === "complete" ? undefined : s.end === "client_closed" ? "client_closed" : "upstream_stream_failed";
	const estimated = s.end === "complete" ? !s.usage : true;
	return req.meter.record({ status, errorCode, usage, estimated, partial: s.end !== "complete", ttfbMs: s.ttfbMs });
}
