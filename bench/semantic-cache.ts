// `npm run bench:semantic-cache`: how the semantic response cache matches the generated paraphrase and near-miss
// pairs of bench/semantic-pairs.ts with the offline embedding model (the mock channel's "mock-embedding", the same
// function it serves), scored by cosine as the vector index scores them. A pair is a hit when its two messages have
// the same literals (numbers and negations, which the cache matches exactly: src/cache/semantic-literals.ts) and a
// similarity at or above the threshold. Prints, as Markdown for docs/PERFORMANCE.md: per threshold from 0.80 to
// 0.99, the share of paraphrases that are hits and of near misses that are false hits (and would be on similarity
// alone); each kind of pair's similarities; and the lowest threshold with no false hit. Offline, in Node, in a second.
import { literalsOf } from "../src/cache/semantic-literals.ts";
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from "../src/providers/mock/embedding.ts";
import { type Pair, semanticPairs } from "./semantic-pairs.ts";

const THRESHOLDS = Array.from({ length: 20 }, (_, i) => (80 + i) / 100);

/** Cosine of two texts' embeddings; the mock's vectors are unit length, so their dot product. */
function similarity(a: string, b: string): number {
	const x = mockEmbedding(a, MOCK_EMBEDDING_DIMENSIONS);
	const y = mockEmbedding(b, MOCK_EMBEDDING_DIMENSIONS);
	return x.reduce((sum, v, i) => sum + v * (y[i] ?? 0), 0);
}

interface Scored extends Pair {
	score: number;
	/** Whether the two messages' literals are equal: else the cache never matches them, whatever their similarity. */
	sameLiterals: boolean;
}

const sameLiterals = (a: string, b: string) => JSON.stringify(literalsOf(a)) === JSON.stringify(literalsOf(b));
const score = (pairs: readonly Pair[]): Scored[] => pairs.map((p) => ({ ...p, score: similarity(p.a, p.b), sameLiterals: sameLiterals(p.a, p.b) }));
const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(0)} % (${n}/${of})`;
const fixed = (v: number) => v.toFixed(3);

function table(head: string[], body: string[][]): string {
	return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function median(sorted: readonly number[]): number {
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function byKind(scored: readonly Scored[], role: string): string[][] {
	const kinds = [...new Set(scored.map((s) => s.kind))];
	return kinds.map((kind) => {
		const scores = scored
			.filter((s) => s.kind === kind)
			.map((s) => s.score)
			.sort((a, b) => a - b);
		const literal = scored.filter((s) => s.kind === kind && !s.sameLiterals).length;
		return [role, kind, String(scores.length), String(literal), fixed(scores[0] ?? 0), fixed(median(scores)), fixed(scores.at(-1) ?? 0)];
	});
}

const { paraphrases, nearMisses } = semanticPairs();
const para = score(paraphrases);
const near = score(nearMisses);
const hits = (t: number) => para.filter((p) => p.sameLiterals && p.score >= t).length;
const falseHits = (t: number) => near.filter((p) => p.sameLiterals && p.score >= t).length;
const similarOnly = (t: number) => near.filter((p) => p.score >= t).length;

console.log(`Semantic cache: ${para.length} paraphrase pairs, ${near.length} near-miss pairs, mock-embedding (${MOCK_EMBEDDING_DIMENSIONS} dimensions)\n`);
console.log(
	table(
		["threshold", "paraphrase hits", "near-miss false hits", "false hits on similarity alone"],
		THRESHOLDS.map((t) => [t.toFixed(2), percent(hits(t), para.length), percent(falseHits(t), near.length), percent(similarOnly(t), near.length)]),
	),
);
console.log(`\n${table(["pairs", "kind", "n", "literals differ", "min", "median", "max"], [...byKind(para, "paraphrase"), ...byKind(near, "near miss")])}\n`);

const worst = near.filter((p) => p.sameLiterals).reduce((a, b) => (b.score > a.score ? b : a));
console.log(`Closest near miss with the same literals (${fixed(worst.score)}): "${worst.a}" / "${worst.b}"`);
const safe = THRESHOLDS.find((t) => falseHits(t) === 0);
if (safe !== undefined) {
	console.log(`Recommended threshold: ${safe.toFixed(2)}, the lowest with no false hit; paraphrase hits there: ${percent(hits(safe), para.length)}.`);
} else {
	// Kinds that are false hits even at the highest threshold: the embedding model cannot tell them apart at all.
	const top = THRESHOLDS.at(-1) ?? 1;
	const blind = new Set(near.filter((p) => p.sameLiterals && p.score >= top).map((p) => p.kind));
	const rest = near.filter((p) => p.sameLiterals && !blind.has(p.kind));
	const safeRest = THRESHOLDS.find((t) => rest.every((p) => p.score < t));
	console.log(`No threshold up to ${top.toFixed(2)} is free of false hits: the embedding model cannot tell ${[...blind].join(", ")} apart.`);
	if (safeRest !== undefined)
		console.log(
			`Without those kinds, the lowest threshold with no false hit is ${safeRest.toFixed(2)}; paraphrase hits there: ${percent(hits(safeRest), para.length)}.`,
		);
}
