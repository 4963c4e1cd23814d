import { DurableObject } from "cloudflare:workers";
import { z } from "zod";

/** A flush: series keys (`name{labels}`, as src/observability/metrics.ts makes them) and the deltas to add. */
const deltasInput = z.array(z.tuple([z.string().min(1).max(2048), z.number().finite()])).max(20_000);

/**
 * One shard of the /metrics counters (named `shard-<n>`, METRICS_SHARDS of them): isolates flush their counts' deltas
 * here after their responses, and /metrics sums every shard's totals. The totals are held in memory for reads and
 * written through to SQLite, so a restart keeps the counters monotonic as Prometheus expects.
 */
export class MetricsAggregator extends DurableObject<Env> {
	readonly #series = new Map<string, number>();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// Synchronous SQLite: no call can run before the totals are loaded.
		ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, value REAL NOT NULL)");
		for (const row of ctx.storage.sql.exec<{ key: string; value: number }>("SELECT key, value FROM series")) this.#series.set(row.key, row.value);
	}

	/** Adds one isolate's deltas; all or none are kept. */
	async add(deltas: unknown): Promise<void> {
		const entries = deltasInput.parse(deltas);
		this.ctx.storage.transactionSync(() => {
			for (const [key, delta] of entries) {
				const value = (this.#series.get(key) ?? 0) + delta;
				this.ctx.storage.sql.exec("INSERT INTO series (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
			}
		});
		// Only once the write committed: a failed transaction leaves memory as it was, and the isolate retries.
		for (const [key, delta] of entries) this.#series.set(key, (this.#series.get(key) ?? 0) + delta);
	}

	/** Every series' total. */
	async read(): Promise<Record<string, number>> {
		return Object.fromEntries(this.#series);
	}

	/** For /readyz: the object answers. */
	async ping(): Promise<number> {
		return Date.now();
	}
}
