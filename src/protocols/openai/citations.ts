import { z } from "zod";
import type { AnswerAnnotation } from "../codec";
import { citationsOf, type FileSearch } from "../file-search";
import { type SseMapper, sse } from "../sse";
import { parseEvent } from "../stream-json";

const text = z.object({ content: z.string().nullish() }).nullish();

/** A chat completion or chunk as far as citations read it: the choices' text, and whether one finished. */
const choices = z.looseObject({
	choices: z.array(z.object({ index: z.number().optional(), message: text, delta: text, finish_reason: z.string().nullish() })),
});

type Choices = z.output<typeof choices>;

/** Citations point into the first choice's text, as OpenAI's do in a Responses answer (which has no `n`). */
const firstChoice = (json: Choices) => json.choices.find((c) => (c.index ?? 0) === 0);

/**
 * The gateway's `file_search` extension on /v1/chat/completions: the answer gets a top-level `citations` array (of
 * the first choice's text) and the search's `file_search: {queries, results}`. A stream carries them on the chunk
 * that finishes the first choice: the text is whole by then, and clients already treat that chunk as the answer's
 * end, so no chunk of a new shape is needed and none is held back.
 */
export function chatCitations(search: FileSearch): AnswerAnnotation {
	const fields = (answer: string) => ({ citations: citationsOf(answer, search), file_search: { queries: search.queries, results: search.hits } });
	return {
		answer(json) {
			const parsed = choices.safeParse(json);
			const choice = parsed.success ? firstChoice(parsed.data) : undefined;
			return { ...json, ...fields(choice?.message?.content ?? "") };
		},
		stream(): SseMapper {
			let answer = "";
			let added = false;
			return {
				map(event) {
					const as = sse(event.data, event.event);
					if (added || event.data === "[DONE]") return as;
					// The chunk goes on as the upstream wrote it: the schema's reading would drop the fields it does not name.
					const chunk = parseEvent(z.record(z.string(), z.unknown()), event.data);
					const read = choices.safeParse(chunk);
					const choice = read.success ? firstChoice(read.data) : undefined;
					if (!chunk || !choice) return as;
					answer += choice.delta?.content ?? "";
					if (!choice.finish_reason) return as;
					added = true;
					return sse({ ...chunk, ...fields(answer) }, event.event);
				},
				end: () => "",
			};
		},
	};
}
