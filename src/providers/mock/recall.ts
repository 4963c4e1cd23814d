import { z } from "zod";
import { MEMORIES_HEADING } from "../../protocols/memory-prompt";

const systemTurn = z.looseObject({ role: z.literal("system"), content: z.string() });

const words = (text: string) =>
	new Set(
		text
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s]/gu, " ")
			.split(/\s+/)
			.filter((w) => w.length > 2),
	);

/**
 * The remembered fact the mock answers with (chat that remembers, src/routes/shared/chat-memory.ts): of the facts the
 * gateway listed in a system message, the one sharing the most words with the question; undefined when none shares
 * any. Deterministic, so that `npm run dev` shows a chat answering from an earlier session with no key.
 */
export function rememberedFact(messages: unknown, question: string): string | undefined {
	if (!Array.isArray(messages)) return undefined;
	const facts = messages.flatMap((m) => {
		const turn = systemTurn.safeParse(m);
		if (!turn.success || !turn.data.content.includes(MEMORIES_HEADING)) return [];
		const listed = turn.data.content.slice(turn.data.content.indexOf(MEMORIES_HEADING));
		return listed.split("\n").flatMap((line) => (line.startsWith("- ") ? [line.slice(2).trim()] : []));
	});
	const asked = words(question);
	let best: { fact: string; shared: number } | undefined;
	for (const fact of facts) {
		const shared = [...words(fact)].filter((w) => asked.has(w)).length;
		if (shared > (best?.shared ?? 0)) best = { fact, shared };
	}
	return best?.fact;
}
