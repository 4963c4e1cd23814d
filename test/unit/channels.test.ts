import { describe, expect, it } from "vitest";
import { indexChannels, type LiveChannel, servable } from "../../src/channels/live";

const channel = (id: number, models: string[], groups = ["default"]): LiveChannel => ({
	id,
	name: `c${id}`,
	type: "openai",
	baseUrl: undefined,
	keyCiphertext: undefined,
	models: new Set(models),
	modelMapping: {},
	groups: new Set(groups),
	priority: 0,
	weight: 1,
	settings: {},
});

describe("servable channels", () => {
	const set = indexChannels([channel(1, ["a", "b"]), channel(2, ["b"], ["vip"]), channel(3, ["b", "c"]), channel(4, ["c"])]);

	it("are the channels that serve the model to the caller's group", () => {
		expect(servable(set, "b", "default").map((c) => c.id)).toEqual([1, 3]);
		expect(servable(set, "b", "vip").map((c) => c.id)).toEqual([2]);
		expect(servable(set, "c", "default").map((c) => c.id)).toEqual([3, 4]);
	});

	it("are none for a model no channel serves", () => {
		expect(servable(set, "z", "default")).toEqual([]);
	});
});
