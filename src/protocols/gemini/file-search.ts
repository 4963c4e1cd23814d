import { z } from "zod";
import { type CitationFields, type CitedDialect, citationsAnnotation } from "../answer-citations";
import type { AnswerAnnotation } from "../codec";
import type { FileSearch } from "../file-search";
import { framing, type GeminiStreamForm } from "./framing";

const firstCandidate = z.looseObject({
	candidates: z
		.array(
			z.looseObject({
				content: z.looseObject({ parts: z.array(z.looseObject({ text: z.unknown().optional(), thought: z.unknown().optional() })).optional() }).optional(),
				finishReason: z.string().optional(),
			}),
		)
		.min(1),
});

const candidate = (json: unknown) => firstCandidate.safeParse(json).data?.candidates[0];

/** The answer's own text: thought summaries are not what the citations point into. */
const answerTextOf = (json: unknown) =>
	(candidate(json)?.content?.parts ?? []).flatMap((p) => (typeof p.text === "string" && p.thought !== true ? [p.text] : [])).join("");

/** Google's JSON is camelCase; the attributes are the caller's own keys and stay as they were set. */
function camelFields({ citations, file_search }: CitationFields): object {
	return {
		citations: citations.map(({ file_id, ...rest }) => ({ ...rest, fileId: file_id })),
		fileSearch: { queries: file_search.queries, results: file_search.results.map(({ file_id, ...rest }) => ({ ...rest, fileId: file_id })) },
	};
}

const generateContent: CitedDialect = {
	answerText: answerTextOf,
	eventText: (json) => ({ text: answerTextOf(json), ends: candidate(json)?.finishReason !== undefined }),
	spell: camelFields,
};

/**
 * The `fileSearch` extension on generateContent; a stream's citations ride on the response with the finish reason.
 * The stream is read as SSE whichever form the client asked for, and written in that form.
 */
export const geminiCitations = (search: FileSearch, form: GeminiStreamForm): AnswerAnnotation =>
	citationsAnnotation(search, generateContent, () => framing(form));
