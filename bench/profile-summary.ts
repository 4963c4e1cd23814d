// `node bench/profile-summary.ts a.cpuprofile [b.cpuprofile …] [--top 25] [--by function|file]`: where a V8 CPU
// profile's time went, by self time, top N. Several profiles (e.g. the gateway under each launcher) are shown as
// columns of shares, so that what grows from one to the other stands out whatever the machine's load was.
// Shares are of busy samples (idle left out), each sample counted once: on a loaded machine the sampler is
// starved and the gaps between samples say more about the other processes than about this one.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";

const CpuProfile = z.object({
	nodes: z.array(
		z.object({
			id: z.number(),
			callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
		}),
	),
	startTime: z.number(),
	endTime: z.number(),
	samples: z.array(z.number()),
	timeDeltas: z.array(z.number()),
});
type CpuProfile = z.infer<typeof CpuProfile>;

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: { top: { type: "string", default: "25" }, by: { type: "string", default: "function" } },
});

/** The library or source file a URL points at, short enough for a table. */
function where(url: string): string {
	if (url === "") return "(native)";
	const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (module?.[1]) return module[1];
	return url.replace(/^.*\/(src|bench|templates|\.wrangler)\//, "$1/").replace(/^file:\/\//, "");
}

/** Busy samples by key, and their total. */
function selfTimes(profile: CpuProfile, by: string): { times: Map<string, number>; total: number } {
	const keyOf = new Map<number, string>();
	const idle = new Set<number>();
	for (const node of profile.nodes) {
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === "(idle)") idle.add(node.id);
		const file = where(url);
		keyOf.set(node.id, by === "file" ? file : `${functionName || "(anonymous)"} ${file}${url ? `:${lineNumber + 1}` : ""}`);
	}
	const times = new Map<string, number>();
	let total = 0;
	for (const id of profile.samples) {
		if (idle.has(id)) continue;
		const key = keyOf.get(id) ?? "?";
		times.set(key, (times.get(key) ?? 0) + 1);
		total++;
	}
	return { times, total };
}

const profiles = positionals.map((file) => ({ file, ...selfTimes(CpuProfile.parse(JSON.parse(readFileSync(file, "utf8"))), values.by) }));
if (profiles.length === 0) throw new Error("usage: node bench/profile-summary.ts a.cpuprofile [b.cpuprofile …] [--top N] [--by function|file]");
const keys = new Map<string, number>();
for (const p of profiles) for (const [k, n] of p.times) keys.set(k, Math.max(keys.get(k) ?? 0, n / p.total));
const top = [...keys].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));

const pct = (n: number, total: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
for (const [i, p] of profiles.entries()) console.log(`[${i + 1}] ${basename(p.file)}: ${p.total} busy samples`);
console.log(`${profiles.map((_, i) => `[${i + 1}] self`.padStart(8)).join(" ")}  ${values.by}`);
for (const [key] of top) console.log(`${profiles.map((p) => pct(p.times.get(key) ?? 0, p.total).padStart(8)).join(" ")}  ${key}`);
