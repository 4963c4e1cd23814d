import { describe, expect, it } from "vitest";
import { readChunk } from "../../src/protocols/dify/events";
import { difyUsage, usdDecimal } from "../../src/protocols/dify/usage";

describe("Dify's usage, from what a turn was billed", () => {
	it.each([
		[0, "0"],
		[1, "0.000000001"],
		[1_234, "0.000001234"],
		[50_000, "0.00005"],
		[2_000_000_000, "2"],
		[2_500_000_001, "2.500000001"],
		[-5, "0"],
		[0.6, "0.000000001"],
	])("writes %d nano-USD as the decimal %s", (nusd, decimal) => {
		expect(usdDecimal(nusd)).toBe(decimal);
	});

	it("prices prompt and completion at their rates per million tokens, and totals what was billed", () => {
		const usage = difyUsage({
			promptTokens: 11,
			completionTokens: 7,
			costNusd: 41_000,
			inputPerMtok: 2_000_000_000,
			outputPerMtok: 4_000_000_000,
			latencyMs: 1_250,
		});
		expect(usage).toEqual({
			prompt_tokens: 11,
			prompt_unit_price: "2",
			prompt_price_unit: "0.000001",
			prompt_price: "0.000022",
			completion_tokens: 7,
			completion_unit_price: "4",
			completion_price_unit: "0.000001",
			completion_price: "0.000028",
			total_tokens: 18,
			// The billed cost (here a cache discount made it less than the plain rates), not their sum.
			total_price: "0.000041",
			currency: "USD",
			latency: 1.25,
		});
	});
});

describe("reading an OpenAI chat chunk for Dify's events", () => {
	it.each([
		['{"choices":[{"delta":{"content":"Hi"}}]}', { kind: "text", text: "Hi" }],
		['{"choices":[{"delta":{"role":"assistant","content":""}}]}', { kind: "none" }],
		['{"choices":[],"usage":{"prompt_tokens":1}}', { kind: "none" }],
		["[DONE]", { kind: "none" }],
		['{"error":{"message":"upstream failed"}}', { kind: "error", message: "upstream failed" }],
		["{not json", { kind: "error", message: "The model's answer could not be read" }],
	])("reads %s", (data, reading) => {
		expect(readChunk(data)).toEqual(reading);
	});
});
