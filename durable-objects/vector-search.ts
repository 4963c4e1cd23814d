import type { Predicate } from "./vector-filter";
import type { Metadata } from "./vector-index-types";

/** One vector as the local index holds it in memory: float32, as Vectorize stores it, with its norm's inverse ready. */
export interface HeldVector {
	id: string;
	namespace: string | undefined;
	values: Float32Array;
	/** 1 / ‖values‖, or 0 for the zero vector (whose cosine with anything is taken as 0). */
	inverseNorm: number;
	metadata: Metadata | undefined;
}

export interface Scored {
	vector: HeldVector;
	score: number;
}

export function inverseNorm(values: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i] ?? 0;
		sum += v * v;
	}
	return sum === 0 ? 0 : 1 / Math.sqrt(sum);
}

function dot(a: Float32Array, b: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
	return sum;
}

/** Higher score first; equal scores by id, so that a query always answers the same order. */
function before(a: Scored, b: Scored): boolean {
	return a.score > b.score || (a.score === b.score && a.vector.id < b.vector.id);
}

/**
 * The `topK` vectors closest to `query` by cosine among those the predicate accepts, best first: a brute-force scan
 * that keeps a small sorted list, so that it costs one dot product per vector and rarely more.
 */
export function nearest(query: Float32Array, candidates: Iterable<HeldVector>, topK: number, accept: Predicate | undefined): Scored[] {
	const queryInverseNorm = inverseNorm(query);
	const best: Scored[] = [];
	for (const vector of candidates) {
		if (accept && !accept(vector.metadata)) continue;
		const hit = { vector, score: dot(query, vector.values) * vector.inverseNorm * queryInverseNorm };
		const worst = best[best.length - 1];
		if (best.length === topK && worst && !before(hit, worst)) continue;
		let at = best.length;
		while (at > 0) {
			const prev = best[at - 1];
			if (!prev || !before(hit, prev)) break;
			at--;
		}
		best.splice(at, 0, hit);
		if (best.length > topK) best.pop();
	}
	return best;
}
