import type { GenerateContentRequest } from "./types";

/** A body passed through to a Gemini channel with the gateway's context (excerpts, memories) after its own system instruction. */
export function withInstructionText<B extends Pick<GenerateContentRequest, "systemInstruction">>(body: B, text: string): B {
	const parts = body.systemInstruction?.parts ?? [];
	return { ...body, systemInstruction: { ...body.systemInstruction, parts: [...parts, { text }] } };
}
