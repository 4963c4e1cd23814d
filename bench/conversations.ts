// `npm run bench:conversations`: what a stateful Responses turn adds, under `wrangler dev` with the offline mock channel.
// 1. Time to first byte of a streamed /v1/responses turn that continues N prior turns (N = CONV_TURNS, "1,50,500"),
//    by `previous_response_id` (the chain of stored responses, one recursive query) and by `conversation` (its
//    items), against the same turn with no history and `store: false` (the plain relay path). The measured turns use
//    `store: false`, and a conversation's new items are deleted after each, so that N stays N. Cases alternate, one
//    sample of each in turn, so that drift on a shared machine hits them alike. CONV_SAMPLES per case (default 100).
// 2. Truncation: a chain of CONV_LONG_TURNS (default 300) turns of about 250 tokens each, continued with
//    `truncation: "auto"`: how many messages (whole turns) the gateway dropped to fit its CONTEXT_WINDOW_TOKENS, set
//    for the run to CONV_CONTEXT_WINDOW (default 32,000, so that the chain overflows it), counted with its token
//    estimator (src/protocols/token-estimate.ts), and the input tokens the mock upstream reports for what it was then
//    sent (its own rough count of the JSON it received, not the estimator's: the two columns compare, the window not).
// Figures are printed and written to bench-results/conversations-<time>.json, never asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDatabase } from "../scripts/local-state.mjs";
import { type Launched, launch } from "./launchers.ts";
import { quantile } from "./load.ts";
import { machine } from "./report.ts";

const TURNS = (process.env.CONV_TURNS ?? "1,50,500").split(",").filter(Boolean).map(Number);
const SAMPLES = Number(process.env.CONV_SAMPLES ?? 100);
const LONG_TURNS = Number(process.env.CONV_LONG_TURNS ?? 300);
const CONTEXT_WINDOW = Number(process.env.CONV_CONTEXT_WINDOW ?? 32_000);
const ADMIN = "adm-bench-conversations-0123456789";
const MODEL = "mock-chat";

async function request<T>(g: Launched, key: string, method: string, path: string, body?: unknown): Promise<{ body: T; headers: Headers }> {
	const init: RequestInit = { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" } };
	if (body !== undefined) init.body = JSON.stringify(body);
	const res = await fetch(`${g.url}${path}`, init);
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return { body: (await res.json()) as T, headers: res.headers };
}

interface Answer {
	id: string;
	usage: { input_tokens: number };
}

/** A chain of `n` stored turns, each continuing the last; returns the last response's id. */
async function chain(g: Launched, key: string, n: number, text: (i: number) => string): Promise<string> {
	let previous: string | undefined;
	for (let i = 0; i < n; i++) {
		const { body } = await request<Answer>(g, key, "POST", "/v1/responses", { model: MODEL, input: text(i), previous_response_id: previous });
		previous = body.id;
	}
	if (!previous) throw new Error("an empty chain");
	return previous;
}

/** A conversation of `n` turns (a user message and an answer each), added 20 items at a time as the API allows. */
async function conversation(g: Launched, key: string, n: number): Promise<string> {
	const { body } = await request<{ id: string }>(g, key, "POST", "/v1/conversations", {});
	const items = Array.from({ length: n }, (_, i) => [
		{ role: "user", content: `Question ${i}: what did we say about item ${i}?` },
		{ role: "assistant", content: `Answer ${i}: we said item ${i} matters.` },
	]).flat();
	for (let i = 0; i < items.length; i += 20) await request(g, key, "POST", `/v1/conversations/${body.id}/items`, { items: items.slice(i, i + 20) });
	return body.id;
}

/** Milliseconds from sending a streamed turn to its first body byte; the rest is read to the end. */
async function ttfb(g: Launched, key: string, extra: Record<string, unknown>): Promise<number> {
	const started = performance.now();
	const res = await fetch(`${g.url}/v1/responses`, {
		method: "POST",
		headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
		body: JSON.stringify({ model: MODEL, input: "And what now?", stream: true, store: false, ...extra }),
	});
	const reader = res.body?.getReader();
	if (!res.ok || !reader) throw new Error(`turn: ${res.status} ${await res.text()}`);
	await reader.read();
	const took = performance.now() - started;
	while (!(await reader.read()).done) {}
	return took;
}

const ms = (xs: number[], q: number) => Number(quantile(Float64Array.from(xs).sort(), q).toFixed(1));

const dir = mkdtempSync(join(tmpdir(), "bench-conversations-"));
const demo = prepareDatabase(["--persist-to", dir]);
if (!demo) throw new Error("a fresh database should have a demo key");
const g = await launch("wrangler-dev", {
	config: "wrangler.toml",
	script: "",
	persist: dir,
	vars: { ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), CONTEXT_WINDOW_TOKENS: String(CONTEXT_WINDOW) },
});
try {
	// The demo mock channel paces its stream (40 ms a chunk) to look live; time to first byte does not need that.
	const channels = (await request<{ data: { id: number; type: string }[] }>(g, ADMIN, "GET", "/api/channels")).body.data;
	for (const ch of channels.filter((c) => c.type === "mock")) await request(g, ADMIN, "PATCH", `/api/channels/${ch.id}`, { settings: {} });
	const user = (await request<{ id: number }>(g, ADMIN, "POST", "/api/users", { name: "bench-conversations" })).body;
	const key = (await request<{ key: string }>(g, ADMIN, "POST", "/api/tokens", { name: "bench", user_id: user.id })).body.key;

	const cases: { name: string; turns: number; extra: () => Record<string, unknown>; after?: (id: string) => Promise<void> }[] = [
		{ name: "no history, store false", turns: 0, extra: () => ({}) },
	];
	for (const n of TURNS) {
		const head = await chain(g, key, n, (i) => `Turn ${i}: remember that item ${i} matters.`);
		cases.push({ name: `previous_response_id, ${n} turns`, turns: n, extra: () => ({ previous_response_id: head }) });
		const conv = await conversation(g, key, n);
		cases.push({ name: `conversation, ${n} turns`, turns: n, extra: () => ({ conversation: conv }) });
	}
	// A conversation turn adds its input and answer even with store false: delete them so that the next sample sees N.
	const trim = async (conv: string) => {
		const { body } = await request<{ data: { id: string }[] }>(g, key, "GET", `/v1/conversations/${conv}/items?limit=2&order=desc`);
		for (const item of body.data) await request(g, key, "DELETE", `/v1/conversations/${conv}/items/${item.id}`);
	};
	const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
	for (let s = 0; s < SAMPLES + 5; s++) {
		for (const c of cases) {
			const extra = c.extra();
			const took = await ttfb(g, key, extra);
			if (typeof extra.conversation === "string") await trim(extra.conversation);
			if (s >= 5) samples.get(c.name)?.push(took);
		}
	}
	const base = samples.get("no history, store false") ?? [];
	const ttfbTable = cases.map((c) => {
		const xs = samples.get(c.name) ?? [];
		return {
			case: c.name,
			"p50 ms": ms(xs, 0.5),
			"p95 ms": ms(xs, 0.95),
			"added p50 ms": Number((ms(xs, 0.5) - ms(base, 0.5)).toFixed(1)),
			"added p95 ms": Number((ms(xs, 0.95) - ms(base, 0.95)).toFixed(1)),
		};
	});

	// About 250 tokens a turn, as the gateway counts them: a 100-word question and the mock's answer, which repeats it.
	const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" ");
	const longHead = await chain(g, key, LONG_TURNS, (i) => `Turn ${i}: ${words}`);
	const full = await request<Answer>(g, key, "POST", "/v1/responses", { model: MODEL, input: "Sum it up.", previous_response_id: longHead, store: false });
	const cut = await request<Answer>(g, key, "POST", "/v1/responses", {
		model: MODEL,
		input: "Sum it up.",
		previous_response_id: longHead,
		store: false,
		truncation: "auto",
	});
	const truncation = {
		"prior turns": LONG_TURNS,
		"mock's input tokens, truncation disabled": full.body.usage.input_tokens,
		"messages dropped, truncation auto": Number(cut.headers.get("x-gateway-history-dropped") ?? 0),
		"mock's input tokens, truncation auto": cut.body.usage.input_tokens,
		"context window": CONTEXT_WINDOW,
	};

	console.log(`Time to first byte of a streamed /v1/responses turn, ${SAMPLES} samples per case, client side on loopback (wrangler dev, mock channel):`);
	console.table(ttfbTable);
	console.log(
		"History cut to the context window (truncation auto) as the gateway's token estimator counts it; input tokens as the mock counts what it received:",
	);
	console.table([truncation]);
	const at = new Date().toISOString();
	const report = {
		at,
		machine: machine(),
		load: loadavg(),
		settings: { turns: TURNS, samples: SAMPLES, longTurns: LONG_TURNS, model: MODEL },
		ttfb: ttfbTable,
		truncation,
	};
	mkdirSync("bench-results", { recursive: true });
	const file = join("bench-results", `conversations-${at.replaceAll(":", "-")}.json`);
	writeFileSync(file, `${JSON.stringify(report, null, "\t")}\n`);
	console.log(`\nWrote ${file}`);
} finally {
	await g.stop();
	rmSync(dir, { recursive: true, force: true });
}
