import { describe, expect, it } from "vitest";
import { eventFor } from "../../durable-objects/breaker-events";

describe("breaker notifications", () => {
	it.each([
		["closed", "open", "channel.opened"],
		["closed", "disabled", "channel.disabled"],
		["open", "disabled", "channel.disabled"],
		["open", "closed", "channel.recovered"],
		["half_open", "closed", "channel.recovered"],
		["disabled", "closed", "channel.recovered"],
		["open", "half_open", undefined],
		["half_open", "open", undefined],
		["closed", "closed", undefined],
	] as const)("%s → %s: %s", (before, after, event) => {
		expect(eventFor(before, after)).toBe(event);
	});
});
