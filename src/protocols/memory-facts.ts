/**
 * The strict JSON the memory extraction asks a chat model for: `{"facts": string[]}`. Its name is how the offline
 * mock channel recognises an extraction (src/providers/mock/facts.ts) and answers it without a model.
 */
export const MEMORY_FACTS_SCHEMA = "memory_facts";

export const memoryFactsFormat = {
	type: "json_schema",
	json_schema: {
		name: MEMORY_FACTS_SCHEMA,
		strict: true,
		schema: {
			type: "object",
			properties: { facts: { type: "array", items: { type: "string" } } },
			required: ["facts"],
			additionalProperties: false,
		},
	},
} as const;
