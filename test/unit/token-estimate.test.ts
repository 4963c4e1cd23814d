import { describe, expect, it } from "vitest";
import { estimateInputTokens, estimatePromptTokens } from "../../src/protocols/prompt-estimate";
import { estimateTokens } from "../../src/protocols/token-estimate";
import samplesJson from "../fixtures/tokens/o200k.json?raw";

/** Texts with their token counts under o200k (GPT-4o's and later OpenAI models' encoding); see test/fixtures/README.md. */
const samples = JSON.parse(samplesJson) as { name: string; text: string; o200k: number }[];

describe("token estimate", () => {
	it.each(samples)("estimates $name within −15% / +50% of o200k's count", ({ text, o200k }) => {
		const ratio = estimateTokens(text) / o200k;
		expect(ratio).toBeGreaterThanOrEqual(0.85);
		expect(ratio).toBeLessThanOrEqual(1.5);
	});

	it("counts scripts without spaces by their characters, where characters / 4 counted a third of them", () => {
		for (const name of ["chinese", "japanese", "korean"]) {
			const sample = samples.find((s) => s.name === name);
			if (!sample) throw new Error(`no sample ${name}`);
			expect(Math.ceil(sample.text.length / 4)).toBeLessThan(sample.o200k / 2);
			expect(estimateTokens(sample.text)).toBeGreaterThanOrEqual(sample.o200k);
		}
	});

	it("counts nothing for nothing, and at least a token for any text", () => {
		expect(estimateTokens("")).toBe(0);
		for (const text of ["a", "!", " ", "7", "é", "中", "😀", "\n"]) expect(estimateTokens(text)).toBeGreaterThanOrEqual(1);
	});

	it("estimates a chat request from its texts, not from its JSON: an image is a fixed count, not its base64", () => {
		const image = `data:image/png;base64,${"A".repeat(400_000)}`;
		const prompt = estimatePromptTokens({
			model: "m",
			messages: [
				{ role: "system", content: "Be brief." },
				{
					role: "user",
					content: [
						{ type: "text", text: "What is in this picture?" },
						{ type: "image_url", image_url: { url: image } },
					],
				},
				{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "look", arguments: '{"zoom":2}' } }] },
				{ role: "tool", tool_call_id: "c", content: "A cat." },
			],
			tools: [{ type: "function", function: { name: "look", parameters: { type: "object", properties: { zoom: { type: "number" } } } } }],
		});
		expect(prompt).toBeGreaterThan(1_600);
		expect(prompt).toBeLessThan(1_700);
	});

	it("estimates embeddings input given as text, texts or token ids", () => {
		expect(estimateInputTokens("hello world")).toBe(estimateTokens("hello world"));
		expect(estimateInputTokens(["hello", "world"])).toBe(2);
		expect(estimateInputTokens([1, 2, 3])).toBe(3);
		expect(estimateInputTokens([[1, 2], [3]])).toBe(3);
		expect(estimateInputTokens(undefined)).toBe(0);
	});
});
