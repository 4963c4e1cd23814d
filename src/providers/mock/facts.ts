import { z } from "zod";
import { MEMORY_FACTS_SCHEMA } from "../../protocols/memory-facts";

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
