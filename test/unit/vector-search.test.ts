import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HeldVector, inverseNorm, nearest } from "../../durable-objects/vector-search";

const held = (id: string, values: number[], metadata?: HeldVector["metadata"]): HeldVector => {
	const f32 = new Float32Array(values);
	return { id, namespace: undefined, values: f32, inverseNorm: inverseNorm(f32), metadata };
};

function cosine(a: Float32Array, b: Float32Array): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		dot += x * y;
		na += x * x;
		nb += y * y;
	}
	return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

describe("nearest", () => {
	// Scores are compared, not ids: vectors of equal cosine may differ in the last bit between the two computations.
	it("answers what sorting every vector by cosine answers, best first", () => {
		const coordinate = fc.integer({ min: -4, max: 4 });
		fc.assert(
			fc.property(
				fc.array(fc.array(coordinate, { minLength: 3, maxLength: 3 }), { maxLength: 40 }),
				fc.array(coordinate, { minLength: 3, maxLength: 3 }),
				fc.integer({ min: 1, max: 12 }),
				(rows, q, topK) => {
					const vectors = rows.map((values, i) => held(`v${String(i).padStart(2, "0")}`, values));
					const query = new Float32Array(q);
					const expected = vectors
						.map((v) => cosine(query, v.values))
						.sort((a, b) => b - a)
						.slice(0, topK);
					const got = nearest(query, vectors, topK, undefined);
					expect(got).toHaveLength(expected.length);
					for (const [i, { vector, score }] of got.entries()) {
						expect(score).toBeCloseTo(expected[i] ?? Number.NaN, 5);
						expect(score).toBeCloseTo(cosine(query, vector.values), 5);
					}
				},
			),
		);
	});

	it("skips the vectors the filter refuses before ranking, so topK counts only accepted ones", () => {
		const vectors = [held("a", [1, 0], { keep: false }), held("b", [0.9, 0.1], { keep: true }), held("c", [0, 1], { keep: true })];
		const hits = nearest(new Float32Array([1, 0]), vectors, 2, (m) => m?.keep === true);
		expect(hits.map((h) => h.vector.id)).toEqual(["b", "c"]);
	});
});
