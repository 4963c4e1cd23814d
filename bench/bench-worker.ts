// A small Worker of a benchmark's own (bench/<name>/worker.js), bundled with esbuild and run under Miniflare with the
// Durable Objects it names (and any KV namespaces and R2 buckets), persisted in `dir`: how `npm run bench:vector`
// and `npm run bench:metrics` time one object as the gateway calls it, and `npm run bench:cache-stores` a read.
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";

/** Other simulated bindings a benchmark's Worker names: KV namespaces and R2 buckets by binding name. */
export interface BenchBindings {
	kvNamespaces?: string[];
	r2Buckets?: string[];
}

export async function startBenchWorker(entry: string, dir: string, durableObjects: Record<string, string>, bindings: BenchBindings = {}): Promise<Miniflare> {
	const script = join(dir, "worker.js");
	await build({
		entryPoints: [entry],
		bundle: true,
		format: "esm",
		platform: "neutral",
		mainFields: ["module", "main"],
		conditions: ["workerd", "worker", "import"],
		external: ["cloudflare:*"],
		outfile: script,
		logLevel: "warning",
	});
	return new Miniflare(
		convertV4MiniflareOptions({
			modules: true,
			scriptPath: script,
			modulesRoot: dir,
			compatibilityDate: "2026-11-01",
			compatibilityFlags: ["nodejs_compat"],
			durableObjects: Object.fromEntries(Object.entries(durableObjects).map(([binding, className]) => [binding, { className, useSQLite: true }])),
			durableObjectsPersist: join(dir, "do"),
			kvNamespaces: bindings.kvNamespaces ?? [],
			kvPersist: join(dir, "kv"),
			r2Buckets: bindings.r2Buckets ?? [],
			r2Persist: join(dir, "r2"),
			cachePersist: join(dir, "cache"),
			log: new Log(LogLevel.WARN),
			// A placeholder `request.cf`: the real one is fetched from Cloudflare, which a benchmark must not depend on.
			cf: false,
		}),
	);
}
