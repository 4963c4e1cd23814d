import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type IndexVector, type MetadataFilter, VectorIndexError, vectorIndex } from "../../src/knowledge/vector-index";
import { uid } from "../support/gateway";

// The local index (VECTOR_INDEX = "local", the default), one object per dimension; each test writes its own namespace.
const index = vectorIndex(env, 4);

const ns = () => `vs_${uid()}`;

const ids = (result: { matches: { id: string }[] }) => result.matches.map((m) => m.id);

describe("local vector index", () => {
	it("ranks by cosine similarity, best first, with scores from -1 to 1", async () => {
		const namespace = ns();
		await index.upsert([
			{ id: `${namespace}-same`, namespace, values: [2, 0, 0, 0] },
			{ id: `${namespace}-diagonal`, namespace, values: [1, 1, 0, 0] },
			{ id: `${namespace}-orthogonal`, namespace, values: [0, 0, 3, 0] },
			{ id: `${namespace}-opposite`, namespace, values: [-1, 0, 0, 0] },
		]);
		const result = await index.query([1, 0, 0, 0], { namespace, topK: 10 });
		expect(ids(result)).toEqual([`${namespace}-same`, `${namespace}-diagonal`, `${namespace}-orthogonal`, `${namespace}-opposite`]);
		expect(result.count).toBe(4);
		const scores = result.matches.map((m) => m.score);
		expect(scores[0]).toBeCloseTo(1, 6);
		expect(scores[1]).toBeCloseTo(Math.SQRT1_2, 6);
		expect(scores[2]).toBeCloseTo(0, 6);
		expect(scores[3]).toBeCloseTo(-1, 6);

		const top2 = await index.query([1, 0, 0, 0], { namespace, topK: 2 });
		expect(ids(top2)).toEqual([`${namespace}-same`, `${namespace}-diagonal`]);
		// Vectorize's default topK is 5; metadata and values only when asked for.
		const plain = await index.query(new Float32Array([1, 0, 0, 0]), { namespace });
		expect(plain.matches[0]).toEqual({ id: `${namespace}-same`, namespace, score: expect.any(Number) });
	});

	it("keeps namespaces apart; a query without one searches them all", async () => {
		const own = vectorIndex(env, 7);
		const [a, b] = [ns(), ns()];
		const v = (x: number) => [x, 1, 0, 0, 0, 0, 0];
		await own.upsert([
			{ id: `${a}-1`, namespace: a, values: v(1) },
			{ id: `${a}-2`, namespace: a, values: v(2) },
			{ id: `${b}-1`, namespace: b, values: v(1) },
			{ id: "no-namespace", values: v(1) },
		]);
		expect(ids(await own.query(v(1), { namespace: a })).sort()).toEqual([`${a}-1`, `${a}-2`]);
		expect(ids(await own.query(v(1), { namespace: b }))).toEqual([`${b}-1`]);
		expect(ids(await own.query(v(1), { namespace: ns() }))).toEqual([]);
		expect(ids(await own.query(v(1), { topK: 10 })).sort()).toEqual([`${a}-1`, `${a}-2`, `${b}-1`, "no-namespace"].sort());
	});

	describe("filters on metadata as Vectorize does", async () => {
		const namespace = ns();
		const docs: IndexVector[] = [
			{ id: `${namespace}-1`, namespace, values: [1, 0, 0, 0], metadata: { file: "a.pdf", page: 1, draft: false } },
			{ id: `${namespace}-2`, namespace, values: [1, 0.1, 0, 0], metadata: { file: "a.pdf", page: 2, draft: true } },
			{ id: `${namespace}-3`, namespace, values: [1, 0.2, 0, 0], metadata: { file: "b.md", page: 3 } },
			{ id: `${namespace}-4`, namespace, values: [1, 0.3, 0, 0], metadata: { file: "c.txt", page: "4" } },
		];
		await index.upsert(docs);
		const found = async (filter: MetadataFilter) =>
			ids(await index.query([1, 0, 0, 0], { namespace, filter, topK: 10 }))
				.map((id) => id.slice(namespace.length + 1))
				.sort();

		it.each<[string, MetadataFilter, string[]]>([
			["an implicit $eq", { file: "a.pdf" }, ["1", "2"]],
			["$eq", { file: { $eq: "b.md" } }, ["3"]],
			["$eq on a boolean", { draft: true }, ["2"]],
			["$eq null (a missing property)", { draft: { $eq: null } }, ["3", "4"]],
			["$ne (a missing property is not equal)", { draft: { $ne: true } }, ["1", "3", "4"]],
			["$in", { file: { $in: ["b.md", "c.txt", "z"] } }, ["3", "4"]],
			["$nin", { file: { $nin: ["a.pdf"] } }, ["3", "4"]],
			["$lt (numbers only against a number)", { page: { $lt: 3 } }, ["1", "2"]],
			["$lte", { page: { $lte: 3 } }, ["1", "2", "3"]],
			["$gt", { page: { $gt: 1 } }, ["2", "3"]],
			["$gte", { page: { $gte: 2 } }, ["2", "3"]],
			["a range on strings", { file: { $gte: "b", $lt: "c.u" } }, ["3", "4"]],
			["a lower and an upper bound", { page: { $gt: 1, $lte: 2 } }, ["2"]],
			["several properties, all of them", { file: "a.pdf", page: { $gte: 2 } }, ["2"]],
			["no vector", { file: "nothing" }, []],
		])("%s", async (_, filter, expected) => {
			expect(await found(filter)).toEqual(expected);
		});

		it.each<[string, unknown, RegExp]>([
			["an empty filter", {}, /must not be empty/],
			["$eq with $ne", { page: { $eq: 1, $ne: 2 } }, /only a lower and an upper bound combine/],
			["two lower bounds", { page: { $gt: 1, $gte: 2 } }, /one lower and one upper bound/],
			["an unknown operator", { page: { $regex: "x" } }, /unknown operator/],
			["$in without a list", { page: { $in: 1 } }, /must be a non-empty array/],
			["a key starting with $", { $and: [] }, /not starting with '\$'/],
			["a filter of 2 KB", { file: "x".repeat(2048) }, /under 2048 bytes/],
		])("refuses %s", async (_, filter, message) => {
			await expect(index.query([1, 0, 0, 0], { namespace, filter: filter as MetadataFilter })).rejects.toThrow(message);
		});
	});

	it("returns metadata and values when asked, within Vectorize's topK limits", async () => {
		const namespace = ns();
		await index.upsert([{ id: `${namespace}-m`, namespace, values: [0.5, 0.25, 0, 0], metadata: { file: "a.pdf", tags: ["x"] } }]);
		const full = await index.query([1, 0, 0, 0], { namespace, returnMetadata: "all", returnValues: true });
		expect(full.matches[0]).toMatchObject({ metadata: { file: "a.pdf", tags: ["x"] }, values: [0.5, 0.25, 0, 0] });
		await expect(index.query([1, 0, 0, 0], { namespace, topK: 100 })).resolves.toMatchObject({ count: 1 });
		await expect(index.query([1, 0, 0, 0], { namespace, topK: 101 })).rejects.toThrow(/topK 101 is above 100/);
		await expect(index.query([1, 0, 0, 0], { namespace, topK: 21, returnMetadata: "all" })).rejects.toThrow(/topK 21 is above 20/);
		await expect(index.query([1, 0, 0, 0], { namespace, topK: 21, returnValues: true })).rejects.toThrow(/above 20/);
	});

	it("deletes by id, and reads back by id", async () => {
		const namespace = ns();
		await index.upsert([
			{ id: `${namespace}-keep`, namespace, values: [1, 0, 0, 0], metadata: { n: 1 } },
			{ id: `${namespace}-drop`, namespace, values: [1, 0, 0, 0] },
		]);
		expect(await index.getByIds([`${namespace}-keep`, `${namespace}-none`])).toEqual([
			{ id: `${namespace}-keep`, namespace, values: [1, 0, 0, 0], metadata: { n: 1 } },
		]);
		await index.deleteByIds([`${namespace}-drop`, `${namespace}-never-was`]);
		expect(ids(await index.query([1, 0, 0, 0], { namespace }))).toEqual([`${namespace}-keep`]);
		expect(await index.getByIds([`${namespace}-drop`])).toEqual([]);
	});

	it("replaces a vector upserted again with the same id: values, metadata and namespace", async () => {
		const [a, b] = [ns(), ns()];
		const id = `${a}-moving`;
		await index.upsert([{ id, namespace: a, values: [1, 0, 0, 0], metadata: { v: 1 } }]);
		expect(ids(await index.query([1, 0, 0, 0], { namespace: a }))).toEqual([id]);
		await index.upsert([{ id, namespace: a, values: [0, 1, 0, 0], metadata: { v: 2 } }]);
		const again = await index.query([0, 1, 0, 0], { namespace: a, returnMetadata: true });
		expect(again.matches).toEqual([{ id, namespace: a, score: expect.closeTo(1, 6), metadata: { v: 2 } }]);
		expect(ids(await index.query([1, 0, 0, 0], { namespace: a, filter: { v: 1 } }))).toEqual([]);
		await index.upsert([{ id, namespace: b, values: [0, 1, 0, 0] }]);
		expect(ids(await index.query([0, 1, 0, 0], { namespace: a }))).toEqual([]);
		expect(ids(await index.query([0, 1, 0, 0], { namespace: b }))).toEqual([id]);
	});

	it("takes any number of vectors, sent 1,000 per call as Vectorize requires", async () => {
		const namespace = ns();
		const many = Array.from({ length: 2_500 }, (_, i) => ({ id: `${namespace}-${i}`, namespace, values: [1, i / 2_500, 0, 0] }));
		await index.upsert(many);
		const all = await index.getByIds(many.map((v) => v.id));
		expect(all).toHaveLength(2_500);
		expect(ids(await index.query([1, 0, 0, 0], { namespace, topK: 3 }))).toEqual([`${namespace}-0`, `${namespace}-1`, `${namespace}-2`]);
		// The object itself refuses a larger batch, as Vectorize does.
		expect(await env.LOCAL_VECTOR_INDEX.getByName("4").upsert(4, many.slice(0, 1_001))).toEqual({
			ok: false,
			error: "VECTOR_UPSERT_ERROR: 1001 vectors in one call; at most 1000",
		});
		await index.deleteByIds(many.map((v) => v.id));
		expect(await index.getByIds(many.map((v) => v.id))).toEqual([]);
	});

	it("refuses a vector or a query of the wrong dimension, and writes nothing of a refused batch", async () => {
		const namespace = ns();
		const batch = [
			{ id: `${namespace}-ok`, namespace, values: [1, 0, 0, 0] },
			{ id: `${namespace}-short`, namespace, values: [1, 0, 0] },
		];
		await expect(index.upsert(batch)).rejects.toThrow(VectorIndexError);
		await expect(index.upsert(batch)).rejects.toThrow(`invalid vector for id=${namespace}-short, expected 4 dimensions, and got 3 dimensions`);
		expect(await index.getByIds([`${namespace}-ok`])).toEqual([]);
		await expect(index.query([1, 0, 0, 0, 0], { namespace })).rejects.toThrow("expected 4 dimensions, and got 5 dimensions");
		await expect(index.upsert([{ id: `${namespace}-nan`, namespace, values: [1, Number.NaN, 0, 0] }])).rejects.toThrow(/finite numbers/);
		await expect(index.upsert([{ id: "x".repeat(65), values: [1, 0, 0, 0] }])).rejects.toThrow(/64 bytes/);
		await expect(index.upsert([{ id: `${namespace}-bad-key`, values: [1, 0, 0, 0], metadata: { "a.b": 1 } }])).rejects.toThrow(/contain '\.'/);
	});

	it("keeps its vectors when the object is evicted, and reads them back on the next query", async () => {
		const own = vectorIndex(env, 9);
		const namespace = ns();
		const v = [0, 0, 0, 0, 0, 0, 0, 0, 1];
		await own.upsert([{ id: `${namespace}-kept`, namespace, values: v, metadata: { file: "a" } }]);
		await evictDurableObject(env.LOCAL_VECTOR_INDEX.getByName("9"));
		const result = await own.query(v, { namespace, filter: { file: "a" }, returnMetadata: "all" });
		expect(result.matches).toEqual([{ id: `${namespace}-kept`, namespace, score: expect.closeTo(1, 6), metadata: { file: "a" } }]);
	});
});

describe("vectorIndex(env, dimensions)", () => {
	it("uses the Vectorize binding VECTORIZE_<dimensions> when VECTOR_INDEX is vectorize, 1,000 vectors per upsert", async () => {
		const upserts: number[] = [];
		const fake = {
			upsert: async (vectors: unknown[]) => {
				upserts.push(vectors.length);
				return { mutationId: "m" };
			},
			query: async (_: unknown, options: { topK?: number }) => {
				if ((options.topK ?? 5) > 100) throw new Error("VECTOR_QUERY_ERROR (code = 40025): invalid topK");
				return { count: 1, matches: [{ id: "a", score: 0.5, metadata: { file: "a.pdf", nested: { x: 1 } } }] };
			},
			getByIds: async () => [],
			deleteByIds: async () => ({ mutationId: "m" }),
		};
		const production: Env = Object.assign({}, env, { VECTOR_INDEX: "vectorize", VECTORIZE_3: fake });
		const vectorize = vectorIndex(production, 3);
		await vectorize.upsert(Array.from({ length: 2_001 }, (_, i) => ({ id: String(i), values: [1, 0, 0] })));
		expect(upserts).toEqual([1_000, 1_000, 1]);
		expect(await vectorize.query([1, 0, 0], { returnMetadata: "indexed" })).toEqual({
			count: 1,
			matches: [{ id: "a", score: 0.5, metadata: { file: "a.pdf" } }],
		});
		await expect(vectorize.query([1, 0, 0], { topK: 101 })).rejects.toThrow(VectorIndexError);
		expect(() => vectorIndex(production, 8)).toThrow(/no Vectorize binding VECTORIZE_8/);
	});
});
