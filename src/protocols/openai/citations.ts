import { z } from "zod";
import { type CitedDialect, citationsAnnotation } from "../answer-citations";
import type { AnswerAnnotation } from "../codec";
import type { FileSearch } from "../file-search";

const text = z.object({ content: z.string().nullish() }).nullish();

/** A chat completion or chunk as far as citations read it: the choices' text, and whether one finished. */
const choices = z.looseObject({
	choices: z.array(z.object({ index: z.number().optional(), message: text, delta: text, finish_reason: z.string().nullish() })),
});

/** Citations point into the first choice's text, as in a Responses answer (which has no `n`). */
const firstChoice = (json: unknown) => choices.safeParse(json).data?.choices.find((c) => (c.index ?? 0) === 0);

const chatCompletions: CitedDialect = {
	answerText: (json) => firstChoice(json)?.message?.content ?? "",
	eventText(json) {
		const choice = firstChoice(json);
		return { text: choice?.delta?.content ?? "", ends: Boolean(choice?.finish_reason) };
	},
};

/** The `file_search` extension on /v1/chat/completions; a stream's citations ride on the first choice's finishing chunk. */
export const chatCitations = (search: FileSearch): AnswerAnnotation => citationsAnnotation(search, chatCompletions);
