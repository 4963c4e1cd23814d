// `npm run bench:rag`: retrieval quality of vector store search, under `wrangler dev` with the offline mock
// embedding model, on a generated corpus: 500 short documents, each one fact about one made-up depot, and a
// paraphrased question per document (a third naming the depot, a third only describing it, a third naming it with a
// typing slip, as users misspell made-up names: what the embedding's character trigrams forgive and BM25 cannot).
// For vector-only, BM25-only and hybrid search (OpenAI's ranking_options.hybrid_search weights), fused as they are
// (ranker "none") and re-scored by the default ranker, it prints hit@1, hit@5 and MRR, plus the ingestion's
// throughput and the search latency. Figures are reported, never asserted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDatabase } from "../scripts/local-state.mjs";
import { tinyPdf } from "../test/support/document-fixtures.ts";
import { launch } from "./launchers.ts";
import { cpuMs } from "./proc.ts";

const DOCS = Number(process.env.RAG_DOCS ?? 500);
const ADMIN = "adm-bench-rag-0123456789abcdef";

// A seeded generator, so every run measures the same corpus.
let seed = 42;
const rand = () => {
	seed = (seed * 1103515245 + 12345) % 2 ** 31;
	return seed / 2 ** 31;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const CITIES = ["Lisbon", "Porto", "Leeds", "Turin", "Lyon", "Graz", "Ghent", "Malmo", "Bergen", "Tartu", "Split", "Brno"];
const GOODS: readonly [string, string][] = [
	["bicycles", "bikes"],
	["umbrellas", "parasols"],
	["kettles", "water boilers"],
	["ladders", "step ladders"],
	["blankets", "throws"],
	["lanterns", "lamps"],
	["saucepans", "cooking pots"],
	["backpacks", "rucksacks"],
	["helmets", "hard hats"],
	["notebooks", "journals"],
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const SYLLABLES = ["kel", "vor", "tam", "rin", "dos", "pel", "mar", "quin", "sal", "bre", "nod", "lix", "fer", "gu", "zan", "hol"];

interface Fact {
	name: string;
	city: string;
	good: [string, string];
	count: number;
	day: string;
}

function corpus(): Fact[] {
	const names = new Set<string>();
	while (names.size < DOCS) names.add(pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES));
	return [...names].map((n) => ({
		name: n[0]?.toUpperCase() + n.slice(1),
		city: pick(CITIES),
		good: pick(GOODS),
		count: 100 + Math.floor(rand() * 9000),
		day: pick(DAYS),
	}));
}

const documentOf = (f: Fact) =>
	`# The ${f.name} warehouse\n\nThe ${f.name} warehouse in ${f.city} stores ${f.count} pallets of ${f.good[0]}. Its trucks leave for the coast every ${f.day} at dawn.`;
/** A user's slip in a made-up name: one letter dropped, doubled or swapped with the next (never the first). */
function misspelt(name: string): string {
	const at = 1 + Math.floor(rand() * (name.length - 2));
	const slip = pick(["drop", "double", "swap"] as const);
	if (slip === "drop") return name.slice(0, at) + name.slice(at + 1);
	if (slip === "double") return name.slice(0, at + 1) + name.slice(at);
	return name.slice(0, at) + (name[at + 1] ?? "") + (name[at] ?? "") + name.slice(at + 2);
}

const KINDS = ["naming the depot", "describing it", "misspelling its name"] as const;
type Kind = (typeof KINDS)[number];
const kindOf = (i: number): Kind => KINDS[i % KINDS.length] as Kind;

/** Questions are fixed before any search, so every mode answers the same ones. */
const questionOf = (f: Fact, kind: Kind) =>
	kind === "naming the depot"
		? `How many pallets of ${f.good[1]} does the ${f.name} depot hold?`
		: kind === "describing it"
			? `Which depot in ${f.city} keeps ${f.good[1]} and sends its lorries out on ${f.day}s?`
			: `How many pallets of ${f.good[1]} does the ${misspelt(f.name)} depot hold?`;

async function api<T>(url: string, key: string, path: string, init: RequestInit = {}): Promise<T> {
	const res = await fetch(`${url}${path}`, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
	if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
	return res.json() as Promise<T>;
}
/** Uploads a file and waits until a store of it is ingested: wall time and the runtime's CPU, in ms. */
async function ingest(url: string, key: string, pid: number, name: string, bytes: Uint8Array | string): Promise<{ wall: number; cpu: number }> {
	const form = new FormData();
	form.set("purpose", "assistants");
	form.set("file", new File([bytes], name));
	const cpu = cpuMs(pid);
	const started = performance.now();
	const file = await api<{ id: string }>(url, key, "/v1/files", { method: "POST", body: form });
	const store = await api<{ id: string }>(url, key, "/v1/vector_stores", post({ name, file_ids: [file.id] }));
	for (;;) {
		const s = await api<{ status: string; file_counts: { failed: number } }>(url, key, `/v1/vector_stores/${store.id}`);
		if (s.file_counts.failed > 0) throw new Error(`${name} failed to ingest`);
		if (s.status === "completed") break;
		await new Promise((r) => setTimeout(r, 100));
	}
	return { wall: performance.now() - started, cpu: cpuMs(pid) - cpu };
}

const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

const dir = mkdtempSync(join(tmpdir(), "bench-rag-"));
const persist = ["--persist-to", dir];
const key = prepareDatabase(persist);
if (!key) throw new Error("a fresh database should have a demo key");
const gateway = await launch("wrangler-dev", {
	config: "wrangler.toml",
	script: "",
	// wrangler dev bundles the parser Worker itself: no script needed.
	companions: [{ config: "src/parser/wrangler.toml", script: "" }],
	persist: dir,
	vars: { ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), VECTOR_EMBEDDING_MODEL: "mock-embedding" },
});
try {
	const facts = corpus();
	// Ingestion per page: PDF (text drawn in pages) and the same text as one plain file, whole pipeline (upload,
	// parse, chunk, embed through the mock channel, index). The first PDF of an isolate also starts pdf.js.
	const PAGES = 100;
	const pages = Array.from({ length: PAGES }, (_, p) =>
		facts.slice((p * 8) % facts.length, ((p * 8) % facts.length) + 8).flatMap((f) => documentOf(f).split("\n").filter(Boolean)),
	);
	const perPage = (m: { wall: number; cpu: number }) => ({
		"pages/s": (PAGES / (m.wall / 1000)).toFixed(1),
		"runtime CPU ms/page": (m.cpu / PAGES).toFixed(1),
		"wall s": (m.wall / 1000).toFixed(2),
	});
	const pdfFirst = await ingest(gateway.url, key, gateway.pid, "pages-1.pdf", tinyPdf(pages));
	const pdfWarm = await ingest(gateway.url, key, gateway.pid, "pages-2.pdf", tinyPdf(pages));
	const text = await ingest(gateway.url, key, gateway.pid, "pages.txt", pages.map((lines) => lines.join("\n")).join("\n\n"));
	console.table({
		[`PDF, ${PAGES} pages (the isolate's first)`]: perPage(pdfFirst),
		[`PDF, ${PAGES} pages (again)`]: perPage(pdfWarm),
		[`text, the same ${PAGES} pages`]: perPage(text),
	});

	const questions = facts.map((f, i) => questionOf(f, kindOf(i)));
	const started = performance.now();
	const ids: string[] = [];
	for (const [i, f] of facts.entries()) {
		const form = new FormData();
		form.set("purpose", "assistants");
		form.set("file", new File([documentOf(f)], `doc-${i}.md`));
		ids.push((await api<{ id: string }>(gateway.url, key, "/v1/files", { method: "POST", body: form })).id);
	}
	const uploaded = performance.now();
	const store = await api<{ id: string }>(gateway.url, key, "/v1/vector_stores", post({ name: "bench", file_ids: ids }));
	for (;;) {
		const s = await api<{ file_counts: { in_progress: number; completed: number; failed: number } }>(gateway.url, key, `/v1/vector_stores/${store.id}`);
		if (s.file_counts.in_progress === 0) {
			if (s.file_counts.failed > 0) throw new Error(`${s.file_counts.failed} files failed to ingest`);
			break;
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	const ingested = performance.now();
	console.log(
		`${DOCS} documents: uploaded in ${((uploaded - started) / 1000).toFixed(1)} s, ingested in ${((ingested - uploaded) / 1000).toFixed(1)} s (${(DOCS / ((ingested - uploaded) / 1000)).toFixed(1)} documents/s, parse + chunk + embed + index)`,
	);

	const weights = {
		"vector only": { embedding_weight: 1, text_weight: 0 },
		"BM25 only": { embedding_weight: 0, text_weight: 1 },
		"hybrid 1:1": { embedding_weight: 1, text_weight: 1 },
		"hybrid 1:2": { embedding_weight: 1, text_weight: 2 },
		"hybrid 1:4": { embedding_weight: 1, text_weight: 4 },
	};
	// Each fused ranking as it is (ranker "none"), and the default ranker's re-score of it: the built-in lexical one,
	// as no VECTOR_RERANK_MODEL is set here.
	const modes = Object.entries(weights).flatMap(([name, hybrid_search]) => [
		[name, { hybrid_search, ranker: "none" }] as const,
		...(name === "hybrid 1:2" || name === "hybrid 1:4" ? [] : [[`${name}, re-scored`, { hybrid_search }] as const]),
	]);
	const rows = [];
	for (const [mode, ranking_options] of modes) {
		for (const kind of [...KINDS, "all"] as const) {
			let hit1 = 0;
			let hit5 = 0;
			let rr = 0;
			let n = 0;
			const latencies: number[] = [];
			for (const i of facts.keys()) {
				if (kind !== "all" && kindOf(i) !== kind) continue;
				const t = performance.now();
				const page = await api<{ data: { filename: string }[] }>(
					gateway.url,
					key,
					`/v1/vector_stores/${store.id}/search`,
					post({ query: questions[i], max_num_results: 10, ranking_options }),
				);
				latencies.push(performance.now() - t);
				const rank = page.data.findIndex((d) => d.filename === `doc-${i}.md`) + 1;
				n++;
				if (rank === 1) hit1++;
				if (rank >= 1 && rank <= 5) hit5++;
				if (rank >= 1) rr += 1 / rank;
			}
			latencies.sort((a, b) => a - b);
			rows.push({
				mode,
				questions: kind,
				"hit@1": (hit1 / n).toFixed(3),
				"hit@5": (hit5 / n).toFixed(3),
				MRR: (rr / n).toFixed(3),
				"p50 ms": latencies[Math.floor(n * 0.5)]?.toFixed(1),
				"p95 ms": latencies[Math.floor(n * 0.95)]?.toFixed(1),
			});
		}
	}
	console.table(rows);
} finally {
	await gateway.stop();
	rmSync(dir, { recursive: true, force: true });
}
