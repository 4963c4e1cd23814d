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

/**
 * The strict JSON the consolidation asks for: of the memories listed (the user message is JSON
 * `{"fact": string, "memories": [{"id", "text"}]}`), the ids of those the new fact contradicts, updates or repeats.
 */
export const MEMORY_SUPERSEDES_SCHEMA = "memory_supersedes";

export const memorySupersedesFormat = {
	type: "json_schema",
	json_schema: {
		name: MEMORY_SUPERSEDES_SCHEMA,
		strict: true,
		schema: {
			type: "object",
			properties: { superseded: { type: "array", items: { type: "string" } } },
			required: ["superseded"],
			additionalProperties: false,
		},
	},
} as const;
