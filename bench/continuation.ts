// `npm run bench:continuation`: what a client sees when a stream breaks mid-way and the gateway continues it on
// another channel (src/relay/continuation.ts), under `wrangler dev` with the loopback mock (test/support/mock-upstream.ts).
// For a stream cut at 25%, 50% and 90% of the mock's 40-word story: the gap at the seam (from the last word before
// the cut to the first word after it, as the client reads them) against the time to the first token of a stream
// that is not cut (through the gateway, from the same mock), and the text at the seam: words repeated or
// missing against the story (the goal: none). CONT_SAMPLES per case (default 30); cases alternate, one sample each in
// turn, so that drift on a shared machine hits them alike. Figures are printed and written to
// bench-results/continuation-<time>.json, never asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDatabase } from "../scripts/local-state.mjs";
import { sseEvents } from "../src/protocols/sse.ts";
import { startMockUpstream } from "../test/support/mock-upstream.ts";
import { STORY } from "../test/support/story.ts";
import { launch } from "./launchers.ts";
import { quantile } from "./load.ts";
import { machine } from "./report.ts";

const SAMPLES = Number(process.env.CONT_SAMPLES ?? 30);
const CUTS = [0.25, 0.5, 0.9];
const ADMIN = "adm-bench-continuation-0123456789";
// A channel that keeps breaking must keep being tried: its breaker never opens in this run.
const NEVER_OPEN = { breaker: { consecutiveFailures: 1_000_000, errorRate: 1, minRequests: 1_000_000 } };

const ms = (xs: number[], q: number) => (xs.length ? Number(quantile(Float64Array.from(xs).sort(), q).toFixed(1)) : Number.NaN);

/** Each content delta of an OpenAI chat stream with the time it arrived (ms since the request was sent). */
async function timedStream(url: string, key: string, model: string): Promise<{ words: { text: string; at: number }[]; ends: number }> {
	const started = performance.now();
	const res = await fetch(`${url}/v1/chat/completions`, {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		body: JSON.stringify({ model, messages: [{ role: "user", content: "tell the story" }], stream: true }),
	});
	const reader = res.body?.getReader();
	if (!res.ok || !reader) throw new Error(`${model}: ${res.status} ${await res.text()}`);
	const decoder = new TextDecoder();
	const words: { text: string; at: number }[] = [];
	let ends = 0;
	let pending = "";
	for (let r = await reader.read(); !r.done; r = await reader.read()) {
		const at = performance.now() - started;
		pending += decoder.decode(r.value, { stream: true });
		const cut = pending.lastIndexOf("\n\n");
		if (cut < 0) continue;
		for (const { data } of sseEvents(pending.slice(0, cut + 2))) {
			if (data === "[DONE]") ends++;
			else {
				const text = (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
				if (text) words.push({ text, at });
			}
		}
		pending = pending.slice(cut + 2);
	}
	return { words, ends };
}

/** Words of the story repeated and missing in what the client read. */
function seamErrors(text: string): { repeated: number; missing: number } {
	const got = text.trim().split(/\s+/);
	const want = STORY.join("").split(" ");
	const counts = new Map<string, number>();
	for (const w of got) counts.set(w, (counts.get(w) ?? 0) + 1);
	return {
		repeated: [...counts.values()].reduce((n, c) => n + Math.max(0, c - 1), 0) + got.filter((w) => !want.includes(w)).length,
		missing: want.filter((w) => !counts.has(w)).length,
	};
}

const upstream = await startMockUpstream();
const dir = mkdtempSync(join(tmpdir(), "bench-continuation-"));
prepareDatabase(["--persist-to", dir]);
const g = await launch("wrangler-dev", {
	config: "wrangler.toml",
	script: "",
	persist: dir,
	vars: { ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), ALLOW_UNPRICED_MODELS: "true" },
});
const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
	const res = await fetch(`${g.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
};
const channel = (name: string, scenario: string, model: string, priority: number) =>
	api("POST", "/api/channels", {
		name,
		type: "openai",
		base_url: `${upstream.url}/bench/${scenario}/v1`,
		key: "sk-bench",
		models: [model],
		priority,
		settings: NEVER_OPEN,
	});
try {
	const { key } = await api<{ key: string }>("POST", "/api/tokens", { name: "bench-continuation" });
	await channel("whole", "story", "bench-story", 1);
	const cases = [{ name: "not cut (time to first token)", model: "bench-story", cutAt: undefined as number | undefined }];
	for (const f of CUTS) {
		const cutAt = Math.round(STORY.length * f);
		const model = `bench-cut-${cutAt}`;
		await channel(`cut-${cutAt}`, `story-cut-${cutAt}`, model, 2);
		await channel(`rest-${cutAt}`, "story", model, 1);
		cases.push({ name: `cut at ${f * 100}% (word ${cutAt})`, model, cutAt });
	}
	const samples = new Map(cases.map((c) => [c.name, { gaps: [] as number[], repeated: 0, missing: 0, ends: [] as number[] }]));
	for (let s = 0; s < SAMPLES + 3; s++) {
		for (const c of cases) {
			const { words, ends } = await timedStream(g.url, key, c.model);
			if (s < 3) continue;
			const kept = samples.get(c.name);
			if (!kept) continue;
			const text = words.map((w) => w.text).join("");
			const errors = seamErrors(text);
			kept.repeated += errors.repeated;
			kept.missing += errors.missing;
			kept.ends.push(ends);
			// Not cut: the first word's arrival. Cut: the wait from the last word before the cut to the next.
			const before = c.cutAt === undefined ? undefined : words.findLastIndex((w) => w.text.trim() === `word${(c.cutAt ?? 1) - 1}`);
			const gap = before === undefined ? words[0]?.at : before >= 0 ? (words[before + 1]?.at ?? Number.NaN) - (words[before]?.at ?? 0) : Number.NaN;
			if (gap !== undefined && Number.isFinite(gap)) kept.gaps.push(gap);
		}
	}
	const base = ms(samples.get(cases[0]?.name ?? "")?.gaps ?? [], 0.5);
	const table = cases.map((c) => {
		const kept = samples.get(c.name);
		const gaps = kept?.gaps ?? [];
		return {
			case: c.name,
			"wait p50 ms": ms(gaps, 0.5),
			"wait p95 ms": ms(gaps, 0.95),
			"against first token p50 ms": c.cutAt === undefined ? 0 : Number((ms(gaps, 0.5) - base).toFixed(1)),
			"words repeated": kept?.repeated ?? 0,
			"words missing": kept?.missing ?? 0,
			"streams not ending once": kept?.ends.filter((n) => n !== 1).length ?? 0,
		};
	});
	console.log(`A stream cut mid-way and continued on another channel, ${SAMPLES} samples per case, client side on loopback (wrangler dev, loopback mock):`);
	console.table(table);
	const at = new Date().toISOString();
	mkdirSync("bench-results", { recursive: true });
	const file = join("bench-results", `continuation-${at.replaceAll(":", "-")}.json`);
	writeFileSync(file, `${JSON.stringify({ at, machine: machine(), load: loadavg(), settings: { samples: SAMPLES, cuts: CUTS }, table }, null, "\t")}\n`);
	console.log(`\nWrote ${file}`);
} finally {
	await g.stop();
	await upstream.close();
	rmSync(dir, { recursive: true, force: true });
}
