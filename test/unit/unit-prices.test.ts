// Prices by unit (src/billing/units.ts): the most specific image price applies, and a request's units are charged
// beside its tokens and its per-request price, times the group multiplier.
import { describe, expect, it } from "vitest";
import { costNusd, type Price } from "../../src/billing/cost";
import { imageUnit, UNIT_NAME, unitPrice } from "../../src/billing/units";

const price = (perUnit: Price["perUnit"], over: Partial<Price> = {}): Price => ({
	id: 1,
	inputPerMtok: 0,
	outputPerMtok: 0,
	cachedInputPerMtok: null,
	cacheWritePerMtok: null,
	perRequest: 0,
	perUnit,
	...over,
});

describe("unit prices", () => {
	const perUnit = { image: 40, "image:1024x1024": 50, "image:1024x1024:hd": 80, audio_second: 3 };

	it("prices an image by its size and quality, falling back to the less specific names", () => {
		expect(unitPrice(perUnit, "image:1024x1024:hd")).toBe(80);
		expect(unitPrice(perUnit, "image:1024x1024:standard")).toBe(50);
		expect(unitPrice(perUnit, "image:512x512:hd")).toBe(40);
		expect(unitPrice(perUnit, "image")).toBe(40);
		expect(unitPrice(perUnit, "character")).toBe(0);
		expect(unitPrice(null, "image")).toBe(0);
	});

	it("names an image's unit from the request", () => {
		expect(imageUnit("1024x1024", "hd")).toBe("image:1024x1024:hd");
		expect(imageUnit("1024x1024", undefined)).toBe("image:1024x1024");
		expect(imageUnit(undefined, "hd")).toBe("image");
		expect(imageUnit("AUTO", "High")).toBe("image:auto:high");
		for (const name of ["image", "image:1024x1024", "image:1024x1024:hd", "audio_second", "character"]) expect(name).toMatch(UNIT_NAME);
		for (const name of ["images", "image:a:b:c", "second", "Image"]) expect(name).not.toMatch(UNIT_NAME);
	});

	it("charges units beside tokens and the request price, times the multiplier", () => {
		const usage = { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0, units: { name: "image:1024x1024:hd", count: 2 } };
		expect(costNusd(price(perUnit), usage)).toBe(160);
		expect(costNusd(price(perUnit, { inputPerMtok: 5, perRequest: 7 }), usage, 2)).toBe((5 + 160 + 7) * 2);
		expect(costNusd(price(perUnit), { ...usage, units: { name: "audio_second", count: 2.5 } })).toBe(8);
		expect(costNusd(price(null), usage)).toBe(0);
	});
});
