import type { UsageRecord } from "../../queues/usage-message";

/**
 * A request's Analytics Engine data point. docs/OPERATIONS.md queries its columns by position, so they only grow:
 * blob1 model, blob2 endpoint, blob3 provider, blob4 channel id, blob5 key id, blob6 app id, blob7 error code,
 * blob8 request id; double1 status, double2 latency ms, double3 TTFB ms (-1: none), double4 prompt tokens, double5
 * completion tokens, double6 cached tokens, double7 cost USD, double8 attempts, double9 stream (1/0). The index (the
 * sampling key) is the user: a busy user is sampled, never a quiet one dropped.
 */
/** Writes one usage record as a data point: a non-blocking call, nothing awaited, no I/O on the request's path. */
export function writeAnalytics(dataset: AnalyticsEngineDataset | undefined, r: UsageRecord, provider: string | null, appId: string | null): void {
	dataset?.writeDataPoint({
		indexes: [String(r.user_id ?? "")],
		blobs: [r.model, r.endpoint, provider ?? "", String(r.channel_id ?? ""), String(r.token_id ?? ""), appId ?? "", r.error_code ?? "", r.request_id],
		doubles: [r.status, r.latency_ms, r.ttfb_ms ?? -1, r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.cost_nusd / 1e9, r.attempts, r.stream ? 1 : 0],
	});
}
