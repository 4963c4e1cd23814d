// `npm run bench:vector`: query latency of the local vector index (the LocalVectorIndex Durable Object, brute-force
// cosine) at 1k and 10k vectors of 512 dimensions (the mock embedding's), under Miniflare, as `wrangler dev` runs
// it. Prints p50/p95 per size, with and without a metadata filter, and the loopback-plus-RPC floor (an empty
// namespace) they include.
// Figures are reported, never asserted: a shared 2-core machine varies from run to run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchWorker } from "./bench-worker.ts";
import { quantile } from "./load.ts";

const { values: opts } = parseArgs({
	options: {
		sizes: { type: "string", default: "1000,10000" },
		dims: { type: "string", default: "512" },
		queries: { type: "string", default: "300" },
		"top-k": { type: "string", default: "10" },
	},
});
const sizes = opts.sizes.split(",").map(Number);
const dims = Number(opts.dims);
const queries = Number(opts.queries);
const topK = Number(opts["top-k"]);

// Seeded, so that every run searches the same vectors.
let seed = 42;
function random(): number {
	seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
	return seed / 2 ** 31 - 0.5;
}
const vector = () => Array.from({ length: dims }, random);

const dir = mkdtempSync(join(tmpdir(), "bench-vector-"));
const mf = await startBenchWorker(join(import.meta.dirname, "vector-index", "worker.js"), dir, { LOCAL_VECTOR_INDEX: "LocalVectorIndex" });
try {
	const url = await mf.ready;
	const call = async (path: string, index: string, body: unknown) => {
		const res = await mf.dispatchFetch(new URL(`${path}?index=${index}&dims=${dims}`, url), { method: "POST", body: JSON.stringify(body) });
		const answer = (await res.json()) as { ok: boolean; error?: string };
		if (!answer.ok) throw new Error(`${path}: ${answer.error ?? res.status}`);
		return answer;
	};
	const timed = async (index: string, options: Record<string, unknown>) => {
		for (let i = 0; i < 20; i++) await call("/query", index, { vector: vector(), options });
		const ms = new Float64Array(queries);
		for (let i = 0; i < queries; i++) {
			const body = { vector: vector(), options };
			const t0 = performance.now();
			await call("/query", index, body);
			ms[i] = performance.now() - t0;
		}
		ms.sort();
		return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
	};
	const rows: { case: string; p50: number; p95: number }[] = [];
	rows.push({ case: "empty namespace (loopback + RPC floor)", ...(await timed("floor", { topK, namespace: "vs_empty" })) });
	for (const size of sizes) {
		const index = `bench-${size}`;
		for (let start = 0; start < size; start += 1000) {
			const batch = Array.from({ length: Math.min(1000, size - start) }, (_, i) => ({
				id: `chunk-${start + i}`,
				namespace: "vs_bench",
				values: vector(),
				metadata: { file_id: `file-${(start + i) % 50}`, page: (start + i) % 300 },
			}));
			await call("/upsert", index, batch);
		}
		rows.push({ case: `${size} vectors, topK ${topK}`, ...(await timed(index, { topK, namespace: "vs_bench" })) });
		rows.push({
			case: `${size} vectors, topK ${topK}, filter $in 5 files`,
			...(await timed(index, { topK, namespace: "vs_bench", filter: { file_id: { $in: ["file-1", "file-2", "file-3", "file-4", "file-5"] } } })),
		});
		rows.push({ case: `${size} vectors, topK ${topK}, returnMetadata all`, ...(await timed(index, { topK, namespace: "vs_bench", returnMetadata: "all" })) });
	}
	console.log(`local vector index, ${dims} dimensions, ${queries} queries per row (ms, end to end from Node)`);
	console.table(rows.map((r) => ({ case: r.case, p50: r.p50.toFixed(2), p95: r.p95.toFixed(2) })));
} finally {
	await mf.dispose();
	rmSync(dir, { recursive: true, force: true });
}
