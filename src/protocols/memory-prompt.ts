/**
 * How the end user's memories reach the model (chat that remembers): listed in a system message, the most relevant
 * first. The heading is what the offline mock model looks for to answer from them (src/providers/mock/recall.ts).
 */
export const MEMORIES_HEADING = "Facts remembered about this user from earlier conversations";

export function memoriesText(memories: readonly string[]): string | undefined {
	if (memories.length === 0) return undefined;
	const lines = memories.map((m) => `- ${m.replace(/\s+/g, " ").trim()}`).join("\n");
	return `${MEMORIES_HEADING} (the most relevant first; a newer fact replaces an older one). Use them where they help to answer; do not recite them otherwise.\n${lines}`;
}
