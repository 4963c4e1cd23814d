/**
 * Every metric family /metrics exposes, with its labels. Labels are bounded sets (routes, models and channels the
 * operator configured, outcomes): never a key, user or request id, which Analytics Engine answers for instead.
 */
export interface Family {
	name: string;
	type: "counter" | "histogram" | "gauge";
	help: string;
	labels: readonly string[];
	/** Upper bounds of a histogram's buckets, in seconds, ascending; +Inf is implied. */
	buckets?: readonly number[];
}

/** Request durations, from 5 ms to 2 minutes. */
const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const family = <N extends string>(f: Family & { name: N }) => f;

export const FAMILIES = {
	httpRequests: family({
		name: "http_requests_total",
		type: "counter",
		help: "HTTP requests answered, by route template, method and status",
		labels: ["route", "method", "status"],
	}),
	httpDuration: family({
		name: "http_request_duration_seconds",
		type: "histogram",
		help: "Time until the response's headers, by route template",
		labels: ["route"],
		buckets: LATENCY,
	}),
	llmRequests: family({
		name: "llm_requests_total",
		type: "counter",
		help: "Model requests (usage rows: continued stream attempts count apart), by provider, model, channel and status",
		labels: ["provider", "model", "channel", "status"],
	}),
	llmDuration: family({
		name: "llm_request_duration_seconds",
		type: "histogram",
		help: "Time from a model request's start to its end (a stream's last byte)",
		labels: ["provider", "model"],
		buckets: LATENCY,
	}),
	llmTtft: family({
		name: "llm_time_to_first_token_seconds",
		type: "histogram",
		help: "Time from a model request's start to its first byte from the upstream",
		labels: ["provider", "model"],
		buckets: LATENCY,
	}),
	llmTokens: family({
		name: "llm_tokens_total",
		type: "counter",
		help: "Tokens billed, by model and type (input includes cached; reasoning is part of output)",
		labels: ["model", "type"],
	}),
	llmCost: family({ name: "llm_cost_usd_total", type: "counter", help: "Cost charged to callers, in USD, by model", labels: ["model"] }),
	llmFailovers: family({
		name: "llm_failovers_total",
		type: "counter",
		help: "Requests answered by another channel after one failed before its first byte",
		labels: ["model"],
	}),
	llmContinuations: family({
		name: "llm_stream_continuations_total",
		type: "counter",
		help: "Streams that broke after their first byte and were continued on another channel",
		labels: ["model"],
	}),
	breakerState: family({
		name: "llm_breaker_state",
		type: "gauge",
		help: "Circuit breakers, 0 closed, 1 half open, 2 open, 3 disabled; model empty for the channel's own",
		labels: ["channel", "model"],
	}),
	refusals: family({
		name: "governor_refusals_total",
		type: "counter",
		help: "Requests refused before any upstream call, by reason (the error code)",
		labels: ["reason"],
	}),
	queueMessages: family({
		name: "queue_messages_total",
		type: "counter",
		help: "Queue messages handled by a consumer, by queue and outcome",
		labels: ["queue", "outcome"],
	}),
	deadJobs: family({ name: "dead_jobs", type: "gauge", help: "Dead-lettered messages not replayed yet, by queue", labels: ["queue"] }),
	cache: family({
		name: "cache_requests_total",
		type: "counter",
		help: "Isolate cache lookups (keys, channels, prices, model routes, embeddings, memory searches), by cache and result",
		labels: ["cache", "result"],
	}),
	responseCache: family({
		name: "response_cache_lookups_total",
		type: "counter",
		help: "Chat requests that used the response cache, by mode and result (hit, semantic_hit, miss, bypass, stored, not_stored, error: the semantic index or its embedding failed)",
		labels: ["mode", "result"],
	}),
	responseCacheSaved: family({
		name: "response_cache_saved_nusd_total",
		type: "counter",
		help: "What response-cache hits saved (the answers' cost less what the hits were charged), nano-USD, by model",
		labels: ["model"],
	}),
	ingestStage: family({
		name: "knowledge_ingest_stage_seconds",
		type: "histogram",
		help: "Time a file's ingestion spends in each stage (parse, chunk, embed, index)",
		labels: ["stage"],
		buckets: LATENCY,
	}),
	knowledgeFiles: family({ name: "knowledge_files", type: "gauge", help: "Vector store files, by status", labels: ["status"] }),
	memoryExtractions: family({
		name: "memory_extractions_total",
		type: "counter",
		help: "Memory extractions (the /mem0 API's infer true adds), by outcome",
		labels: ["outcome"],
	}),
} as const;

export type FamilyKey = keyof typeof FAMILIES;
