import { config } from "../env";
import { metrics } from "./metrics";

/** Rounds one scheduled flush may go on for while requests keep adding counts; then the next request schedules anew. */
const MAX_ROUNDS = 5;

/** This isolate's shard, drawn once: isolates spread their flushes over the shards, and any shard's totals are summed. */
let shard: number | undefined;
/** The flush this isolate has scheduled, if any: one at a time, however many requests end meanwhile. */
let scheduled: Promise<void> | undefined;
/** The send under way, if any: a flush waits for it, so that one that returns has seen every earlier count land. */
let sending: Promise<void> = Promise.resolve();
let warned = false;

function aggregator(env: Env) {
	const shards = config(env).metricsShards;
	shard ??= Math.floor(Math.random() * shards);
	return env.METRICS_AGGREGATOR.getByName(`shard-${shard % shards}`);
}

/** Sends this isolate's counts to its shard now; counts it could not deliver wait for the next flush. */
export async function flushMetrics(env: Env): Promise<void> {
	await sending;
	const entries = metrics.drain();
	if (entries.length === 0) return;
	// Async, so that a binding that throws as it is called fails this send like one that rejects.
	sending = (async () => aggregator(env).add(entries))().catch((err: unknown) => {
		metrics.restore(entries);
		if (!warned) console.error(JSON.stringify({ level: "error", event: "metrics.flush_failed", error: String(err) }));
		warned = true;
	});
	await sending;
}

/**
 * Flushes this isolate's counts after the response (`waitUntil`), at most every METRICS_FLUSH_MS: the first request
 * to end after a flush schedules the next, and the requests ending meanwhile ride along. Never on the hot path.
 */
export function scheduleFlush(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
	if (scheduled || metrics.size === 0) return;
	const waitMs = config(env).metricsFlushMs;
	scheduled = (async () => {
		for (let round = 0; round < MAX_ROUNDS && metrics.size > 0; round++) {
			if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
			await flushMetrics(env);
		}
	})().finally(() => {
		scheduled = undefined;
	});
	waitUntil(scheduled);
}

/** Every shard's totals, summed: what /metrics shows. */
export async function readTotals(env: Env): Promise<Map<string, number>> {
	const ns = env.METRICS_AGGREGATOR;
	const shards = await Promise.all(Array.from({ length: config(env).metricsShards }, (_, n) => ns.getByName(`shard-${n}`).read()));
	const totals = new Map<string, number>();
	for (const entries of shards) for (const [key, value] of Object.entries(entries)) totals.set(key, (totals.get(key) ?? 0) + value);
	return totals;
}
