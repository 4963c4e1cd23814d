import { describe, expect, it } from "vitest";
import { memoryFactsFormat, memorySupersedesFormat } from "../../src/protocols/memory-facts";
import { mockFacts, mockSupersedes } from "../../src/providers/mock/facts";

describe("the mock channel's memory extraction", () => {
	it("answers the memory_facts schema with each stated sentence of the user's messages, questions and the assistant left out", () => {
		const facts = mockFacts({
			response_format: memoryFactsFormat,
			messages: [
				{ role: "system", content: "Extract facts. Answer JSON." },
				{ role: "user", content: "I live in Oslo!  Do you like snow? My sister is a pilot." },
				{ role: "assistant", content: "I am an assistant." },
				{ role: "user", content: "What time is it?" },
			],
		});
		expect(JSON.parse(facts ?? "")).toEqual({ facts: ["I live in Oslo!", "My sister is a pilot."] });
	});

	it("leaves any other request to the ordinary mock reply", () => {
		expect(mockFacts({ messages: [{ role: "user", content: "I live in Oslo." }] })).toBeUndefined();
		const other = { type: "json_schema", json_schema: { name: "weather", schema: {} } };
		expect(mockFacts({ response_format: other, messages: [] })).toBeUndefined();
	});

	it("answers the memory_supersedes schema with the memories whose first three words are the new fact's", () => {
		const asked = {
			fact: "My favourite city is Porto.",
			memories: [
				{ id: "a", text: "my favourite, city was Lisbon" },
				{ id: "b", text: "My favourite food is soup." },
			],
		};
		const answer = mockSupersedes({ response_format: memorySupersedesFormat, messages: [{ role: "user", content: JSON.stringify(asked) }] });
		expect(JSON.parse(answer ?? "")).toEqual({ superseded: ["a"] });
		expect(mockSupersedes({ response_format: memoryFactsFormat, messages: [] })).toBeUndefined();
	});
});
