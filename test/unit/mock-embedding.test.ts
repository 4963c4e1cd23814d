import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mock } from "../../src/providers/mock";
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from "../../src/providers/mock/embedding";

const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
const similarity = (a: string, b: string) => cosine(mockEmbedding(a, 256), mockEmbedding(b, 256));

describe("the mock channel's embeddings", () => {
	it("gives the same text the same unit vector, and texts that share words similar ones", () => {
		const v = mockEmbedding("How do I reset my password?", 256);
		expect(mockEmbedding("How do I reset my password?", 256)).toEqual(v);
		expect(Math.hypot(...v)).toBeCloseTo(1, 10);

		const query = "How do I reset my password?";
		const close = "To reset a forgotten password, open Settings and choose Reset password.";
		const far = "The quarterly revenue grew twelve percent thanks to strong hardware sales.";
		expect(similarity(query, close)).toBeGreaterThan(0.3);
		expect(Math.abs(similarity(query, far))).toBeLessThan(0.15);
		expect(similarity(query, close) - similarity(query, far)).toBeGreaterThan(0.25);
	});

	it("ranks the passage about the question first among several", () => {
		const passages = [
			"Cats sleep for most of the day and hunt at dusk.",
			"Installing the gateway: run npm install, then npm run dev to start it locally.",
			"Invoices are sent on the first day of each month by email.",
			"The river floods every spring when the snow on the northern hills melts.",
		];
		for (const [question, expected] of [
			["how to install and start the gateway locally", 1],
			["when are invoices emailed", 2],
			["why does the river flood in spring", 3],
			["what do cats do all day", 0],
		] as const) {
			const scores = passages.map((p) => similarity(question, p));
			expect(scores.indexOf(Math.max(...scores)), question).toBe(expected);
		}
	});

	it("reads word forms and case alike, and word order a little", () => {
		expect(similarity("Installing the Gateway", "install gateway")).toBeGreaterThan(0.5);
		expect(similarity("dog bites man", "man bites dog")).toBeLessThan(0.99);
		expect(similarity("dog bites man", "man bites dog")).toBeGreaterThan(0.5);
	});

	it("gives a unit vector to a text without words", () => {
		expect(Math.hypot(...mockEmbedding("  ?! ", 8))).toBeCloseTo(1, 10);
	});

	it("answers /v1/embeddings with the requested dimensions (512 when none), in OpenAI's shape", async () => {
		const ctx = { op: "embeddings" as const, stream: false, signal: new AbortController().signal, clientHeaders: new Headers(), traceHeaders: {}, env };
		const target = { channelId: 1, baseUrl: undefined, apiKey: undefined, upstreamModel: "mock-embedding", settings: {} };
		const answer = async (body: Record<string, unknown>) => (await mock.send(body, target, ctx)).json();

		const list = await answer({ model: "mock-embedding", input: ["reset my password", "reset my password"] });
		expect(list).toEqual({
			object: "list",
			model: "mock-embedding",
			data: [
				{ object: "embedding", index: 0, embedding: mockEmbedding("reset my password", MOCK_EMBEDDING_DIMENSIONS) },
				{ object: "embedding", index: 1, embedding: mockEmbedding("reset my password", MOCK_EMBEDDING_DIMENSIONS) },
			],
			usage: { prompt_tokens: 10, total_tokens: 10 },
		});
		expect(MOCK_EMBEDDING_DIMENSIONS).toBe(512);
		const sized = (await answer({ model: "mock-embedding", input: "x", dimensions: 64 })) as { data: { embedding: number[] }[] };
		expect(sized.data[0]?.embedding).toHaveLength(64);
	});
});
