// `npm run bench:metrics`: how many flushes one MetricsAggregator shard (the Durable Object behind /metrics) takes per
// second, under Miniflare as `wrangler dev` runs it, for flushes of a typical and of a large isolate's counts, one at
// a time and many in flight. An isolate flushes at most once per METRICS_FLUSH_MS, so the shards a deployment needs
// are about (busy isolates × 1000 / METRICS_FLUSH_MS) / (flushes per second one shard takes), with headroom.
// Figures are reported, never asserted: a shared 2-core machine varies from run to run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchWorker } from "./bench-worker.ts";

const { values: opts } = parseArgs({
	options: {
		flushes: { type: "string", default: "2000" },
		// Series per flush: an isolate serving one model on one route touches ~64 (histograms are 16 series each).
		sizes: { type: "string", default: "64,256" },
		concurrency: { type: "string", default: "1,16" },
	},
});
const flushes = Number(opts.flushes);

/** `size` series keys as the registry makes them, spread over a few models and routes. */
function deltas(size: number, salt: string): [string, number][] {
	return Array.from({ length: size }, (_, i) => [`llm_request_duration_seconds_bucket{provider="openai",model="m-${salt}-${i % 8}",le="${i}"}`, 1]);
}

const dir = mkdtempSync(join(tmpdir(), "bench-metrics-"));
const mf = await startBenchWorker(join(import.meta.dirname, "metrics-aggregator", "worker.js"), dir, { METRICS_AGGREGATOR: "MetricsAggregator" });
try {
	const url = await mf.ready;
	const rows: Record<string, string>[] = [];
	for (const size of opts.sizes.split(",").map(Number)) {
		for (const concurrency of opts.concurrency.split(",").map(Number)) {
			const shard = `shard-${size}-${concurrency}`;
			const body = JSON.stringify(deltas(size, shard));
			// Warm: the object is created and its table loaded before the clock starts.
			await mf.dispatchFetch(new URL(`/?shard=${shard}&n=20&concurrency=1`, url), { method: "POST", body });
			const t0 = performance.now();
			const res = await mf.dispatchFetch(new URL(`/?shard=${shard}&n=${flushes}&concurrency=${concurrency}`, url), { method: "POST", body });
			const ms = performance.now() - t0;
			const { series } = (await res.json()) as { series: number };
			rows.push({
				"series per flush": String(size),
				"in flight": String(concurrency),
				"flushes/s": (flushes / (ms / 1000)).toFixed(0),
				"series/s": ((flushes * size) / (ms / 1000)).toFixed(0),
				"ms per flush": (ms / flushes).toFixed(3),
				"series held": String(series),
			});
		}
	}
	console.log(`MetricsAggregator, one shard, ${flushes} flushes per row, under Miniflare`);
	console.table(rows);
} finally {
	await mf.dispose();
	rmSync(dir, { recursive: true, force: true });
}
