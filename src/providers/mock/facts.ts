import { z } from "zod";
import { MEMORY_FACTS_SCHEMA, MEMORY_SUPERSEDES_SCHEMA } from "../../protocols/memory-facts";

const factsFormat = z.looseObject({ type: z.literal("json_schema"), json_schema: z.looseObject({ name: z.literal(MEMORY_FACTS_SCHEMA) }) });
const userTurn = z.looseObject({ role: z.literal("user"), content: z.string() });

/**
 * The mock's answer to a memory extraction (a request for the `memory_facts` JSON schema), or undefined for any other
 * request. Deterministic, so that `npm run dev` shows memory with no key: every sentence of the user's messages that
 * states something (one not ending in "?") is a fact, as written.
 */
export function mockFacts(body: Record<string, unknown>): string | undefined {
	if (!factsFormat.safeParse(body.response_format).success) return undefined;
	const turns = Array.isArray(body.messages) ? body.messages : [];
	const facts = turns.flatMap((t) => {
		const turn = userTurn.safeParse(t);
		if (!turn.success) return [];
		return turn.data.content
			.split(/(?<=[.!?])\s+/)
			.map((s) => s.trim())
			.filter((s) => s !== "" && !s.endsWith("?"));
	});
	return JSON.stringify({ facts });
}

const supersedesFormat = z.looseObject({ type: z.literal("json_schema"), json_schema: z.looseObject({ name: z.literal(MEMORY_SUPERSEDES_SCHEMA) }) });
const comparison = z.object({ fact: z.string(), memories: z.array(z.object({ id: z.string(), text: z.string() })) });

/** The first three words, lower case and without punctuation: what the mock takes for a fact's subject. */
const subject = (text: string) =>
	text
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s]/gu, "")
		.split(/\s+/)
		.filter((w) => w !== "")
		.slice(0, 3)
		.join(" ");

/**
 * The mock's answer to a consolidation (the `memory_supersedes` schema), or undefined for any other request: a listed
 * memory whose first three words are the new fact's ("My favourite city is Lisbon." and "My favourite city is Porto.")
 * is about the same thing, so the new fact supersedes it.
 */
export function mockSupersedes(body: Record<string, unknown>): string | undefined {
	if (!supersedesFormat.safeParse(body.response_format).success) return undefined;
	const turns = Array.isArray(body.messages) ? body.messages : [];
	const last = userTurn.safeParse(turns.at(-1));
	const asked = last.success ? comparison.safeParse(parseJson(last.data.content)) : undefined;
	if (!asked?.success) return JSON.stringify({ superseded: [] });
	const about = subject(asked.data.fact);
	return JSON.stringify({ superseded: asked.data.memories.filter((m) => subject(m.text) === about).map((m) => m.id) });
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
