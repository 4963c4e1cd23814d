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

/**
 * Four sums side by side, not one: each addition then waits on the one four back rather than the one before, which
 * scans 10,000 vectors of 512 dimensions in about half the time (V8, measured on this machine: 6.7 → 3.5 ms).
 */
function dot(a: Float32Array, b: Float32Array): number {
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	const whole = a.length - (a.length % 4);
	let i = 0;
	for (; i < whole; i += 4) {
		s0 += (a[i] ?? 0) * (b[i] ?? 0);
		s1 += (a[i + 1] ?? 0) * (b[i + 1] ?? 0);
		s2 += (a[i + 2] ?? 0) * (b[i + 2] ?? 0);
		s3 += (a[i + 3] ?? 0) * (b[i + 3] ?? 0);
	}
	for (; i < a.length; i++) s0 += (a[i] ?? 0) * (b[i] ?? 0);
	return s0 + s1 + s2 + s3;
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
