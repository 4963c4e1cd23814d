import { z } from "zod";
import { rememberedFact } from "./recall";

/** Deterministic content for the offline mock provider: the same request always gets the same answer. */

const userTurn = z.looseObject({
	role: z.literal("user"),
	content: z.union([z.string(), z.array(z.unknown())]),
});
const textPart = z.looseObject({ text: z.string() });

export function lastUserText(messages: unknown): string {
	if (!Array.isArray(messages)) return "";
	for (let i = messages.length - 1; i >= 0; i--) {
		const turn = userTurn.safeParse(messages[i]);
		if (!turn.success) continue;
		const { content } = turn.data;
		if (typeof content === "string") return content;
		return content
			.map((p) => {
				const part = textPart.safeParse(p);
				return part.success ? part.data.text : "";
			})
			.join(" ");
	}
	return "";
}

export function mockReply(model: string, messages: unknown, maxTokens: number | undefined): string[] {
	const question = lastUserText(messages);
	const asked = question.replace(/\s+/g, " ").trim().slice(0, 120);
	const fact = rememberedFact(messages, question);
	const recalled = fact === undefined ? "" : ` From what I remember: ${fact.replace(/[.!]+$/, "")}.`;
	const words =
		`Hello from the ${model} mock channel. You said: "${asked}".${recalled} This reply is generated offline, so it needs no provider account and no network.`.split(
			" ",
		);
	const limit = maxTokens && maxTokens > 0 ? Math.min(maxTokens, words.length) : words.length;
	return words.slice(0, limit).map((w, i) => (i === 0 ? w : ` ${w}`));
}

/** Roughly four characters a token, as OpenAI's own rule of thumb for English. */
export function approxTokens(text: string): number {
	return Math.ceil(text.length / 4);
}
