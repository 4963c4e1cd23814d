// `npm run bench:startup [-- <bundle> …]`: how long a fresh runtime takes to load the Worker and answer its first
// request (a 404, which needs no binding), under Miniflare: the cold start an isolate pays for the bundle's size.
// Without arguments it measures the bundle `wrangler deploy --dry-run --outdir dist` wrote; give two bundles to
// compare (e.g. an older commit's). The figure includes starting workerd itself (about 0.8 s here), the same for all.
// Besides the wall time it reports the CPU workerd used until the answer (Linux, from /proc), which a machine busy
// with other work disturbs far less.
// Each bundle is loaded as one module: Miniflare does not follow a dynamic import() to further files, so a script with
// additional modules (wrangler's find_additional_modules) must list them all in `modules` to be measured whole.
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { descendantsCpuMs } from "./proc.ts";

const RUNS = 7;
const bundles = process.argv.slice(2).length ? process.argv.slice(2) : ["dist/index.js"];

interface ColdStart {
	wallMs: number;
	/** workerd's user + system CPU, 10 ms resolution. */
	cpuMs: number;
}

async function coldStart(script: string): Promise<ColdStart> {
	const started = performance.now();
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			cf: false,
			scriptPath: script,
			modulesRoot: dirname(script),
			modules: true,
			compatibilityDate: "2026-11-01",
			compatibilityFlags: ["nodejs_compat"],
			bindings: { ADMIN_TOKEN: "adm-bench-startup-0123456789", ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") },
		}),
	);
	await mf.ready;
	await (await mf.dispatchFetch("http://bench/no-such-route")).text();
	const wallMs = performance.now() - started;
	const cpuMs = descendantsCpuMs(process.pid);
	await mf.dispose();
	return { wallMs, cpuMs };
}

// The bundles take turns, so that a change in the machine's load (a shared machine) falls on all of them alike.
const runsOf = new Map<string, ColdStart[]>(bundles.map((b) => [b, []]));
for (let i = 0; i < RUNS; i++) {
	for (const bundle of bundles) runsOf.get(bundle)?.push(await coldStart(bundle));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
for (const [bundle, runs] of runsOf) {
	const wall = runs.map((r) => r.wallMs);
	const cpu = runs.map((r) => r.cpuMs);
	console.log(
		`${bundle}: start + first request, median of ${RUNS}: wall ${median(wall).toFixed(0)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}), workerd CPU ${median(cpu)} ms (${Math.min(...cpu)}–${Math.max(...cpu)})`,
	);
}
