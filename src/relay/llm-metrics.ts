import type { UsageRecord } from "../../queues/usage-message";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import type { Usage } from "../protocols/usage";

/**
 * Counts one usage record in /metrics, exactly where it is sent, so that the counters and the usage rows agree. A
 * record that no channel served (a bad model, a refusal) counts with empty provider, model and channel: its model is
 * whatever the client sent, an unbounded label; a served model is one the operator configured.
 */
export function countRecord(record: UsageRecord, usage: Usage | undefined, provider: string | null, continued: boolean): void {
	const served = record.channel_id !== null;
	const model = served ? record.model : "";
	const kind = served ? (provider ?? "") : "";
	metrics.inc(F.llmRequests, [kind, model, served ? String(record.channel_id) : "", String(record.status)]);
	// A hit may name no channel, but its model is bounded all the same: an entry exists only for a model an upstream
	// answered (the cache is keyed on the model after aliasing). The lookups themselves are counted by the relay.
	if (record.cache_hit !== null) metrics.inc(F.responseCacheSaved, [record.model], record.saved_nusd);
	if (!served) return;
	metrics.observe(F.llmDuration, [kind, model], record.latency_ms / 1000);
	if (record.ttfb_ms !== null) metrics.observe(F.llmTtft, [kind, model], record.ttfb_ms / 1000);
	metrics.inc(F.llmTokens, [model, "input"], record.prompt_tokens);
	metrics.inc(F.llmTokens, [model, "output"], record.completion_tokens);
	metrics.inc(F.llmTokens, [model, "cached"], record.cached_tokens);
	metrics.inc(F.llmTokens, [model, "reasoning"], usage?.reasoningTokens ?? 0);
	metrics.inc(F.llmCost, [model], record.cost_nusd / 1e9);
	if (record.attempts > 1) metrics.inc(F.llmFailovers, [model], record.attempts - 1);
	if (continued) metrics.inc(F.llmContinuations, [model]);
}
