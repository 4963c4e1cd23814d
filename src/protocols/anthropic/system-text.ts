import type { MessagesInput } from "./schema";

/** A body passed through to an Anthropic channel with the gateway's context (excerpts, memories) after its own system prompt. */
export function withSystemText<B extends Pick<MessagesInput, "system">>(body: B, text: string): B {
	const { system } = body;
	if (system === undefined || system === "") return { ...body, system: text };
	if (typeof system === "string") return { ...body, system: `${system}\n\n${text}` };
	return { ...body, system: [...system, { type: "text", text }] };
}
