import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { UsageRecord } from "../../queues/usage-message";
import worker from "../../src";
import { uid } from "./gateway";

/** A usage record as the relay sends it: a small successful chat request by default. */
export function usageRecord(over: Partial<UsageRecord> = {}): UsageRecord {
	return {
		request_id: `r-${uid()}`,
		client_request_id: null,
		token_id: null,
		user_id: 1,
		channel_id: null,
		endpoint: "/v1/chat/completions",
		model: "mock-chat",
		upstream_model: "mock-chat",
		prompt_tokens: 10,
		completion_tokens: 5,
		cached_tokens: 0,
		cost_nusd: 0,
		price_id: null,
		latency_ms: 12,
		ttfb_ms: 3,
		stream: false,
		attempts: 1,
		status: 200,
		error_code: null,
		estimated: false,
		partial: false,
		cache_hit: null,
		saved_nusd: 0,
		unit: null,
		units: 0,
		batch_id: null,
		created_at: Date.now(),
		...over,
	};
}

/** Messages handed to the Worker's real queue handler, as the Queue would deliver them; returns what it acked and retried. */
export async function deliver(queue: string, messages: { id: string; body: unknown; attempts?: number }[]) {
	const batch = createMessageBatch(
		queue,
		messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, env, ctx);
	return getQueueResult(batch, ctx);
}
