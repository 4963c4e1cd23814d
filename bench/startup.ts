// `npm run bench:startup [-- <bundle> …]`: how long a fresh runtime takes to load the Worker and answer its first
// request (a 404, which needs no binding), under Miniflare: the cold start an isolate pays for the bundle's size.
// Without arguments it measures the bundle `wrangler deploy --dry-run --outdir dist` wrote; give two bundles to
// compare (e.g. an older commit's). The figure includes starting workerd itself (about 0.8 s here), the same for all.
// Each bundle is loaded as one module: Miniflare does not follow a dynamic import() to further files, so a script with
// additional modules (wrangler's find_additional_modules) must list them all in `modules` to be measured whole.
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const RUNS = 7;
const bundles = process.argv.slice(2).length ? process.argv.slice(2) : ["dist/index.js"];

async function coldStart(script: string): Promise<number> {
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
	const ms = performance.now() - started;
	await mf.dispose();
	return ms;
}

// The bundles take turns, so that a change in the machine's load (a shared machine) falls on all of them alike.
const timesOf = new Map<string, number[]>(bundles.map((b) => [b, []]));
for (let i = 0; i < RUNS; i++) {
	for (const bundle of bundles) timesOf.get(bundle)?.push(await coldStart(bundle));
}
for (const [bundle, times] of timesOf) {
	times.sort((a, b) => a - b);
	const median = times[Math.floor(RUNS / 2)] ?? 0;
	console.log(`${bundle}: start + first request, median ${median.toFixed(0)} ms of ${RUNS} (${times.map((t) => t.toFixed(0)).join(", ")})`);
}
