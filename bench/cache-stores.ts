// `npm run bench:cache-stores`: how long one response-cache hit's read takes from each place it could be kept (KV,
// the Workers Cache API, R2), for answers of 4 KB and 64 KB, timed inside a Worker under Miniflare's local simulators.
// Local figures compare the simulators' overheads only (each is SQLite and files on this disk); production latency,
// consistency and cost differ in kind and are set out beside these in docs/PERFORMANCE.md, "Response cache".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBenchWorker } from "./bench-worker.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-cache-stores-"));
const mf = await startBenchWorker(join(import.meta.dirname, "cache-stores", "worker.js"), dir, {}, { kvNamespaces: ["KV"], r2Buckets: ["R2"] });
try {
	const url = await mf.ready;
	console.log("store  answer   mean read");
	for (const bytes of [4096, 65536]) {
		const res = await mf.dispatchFetch(new URL(`/?bytes=${bytes}&reads=1000`, url));
		if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
		const rows = (await res.json()) as Record<string, { meanMs: number }>;
		for (const [store, { meanMs }] of Object.entries(rows)) {
			console.log(`${store.padEnd(6)} ${`${bytes / 1024} KB`.padEnd(8)} ${meanMs.toFixed(3).padStart(7)} ms`);
		}
	}
} finally {
	await mf.dispose();
	rmSync(dir, { recursive: true, force: true });
}
