import { z } from "zod";
import type { AnswerAnnotation } from "./codec";
import { citationsOf, type FileCitation, type FileSearch, type FileSearchHit } from "./file-search";
import { type SseMapper, sse } from "./sse";
import { parseEvent } from "./stream-json";

/** Where a dialect keeps an answer's text, for the citations that point into it. */
export interface CitedDialect {
	/** A whole answer's text. */
	answerText(json: object): string;
	/** A stream event's share of the text, and whether it ends the answer (the event that carries the citations). */
	eventText(json: Record<string, unknown>): { text: string; ends: boolean };
	/** The added fields as this dialect spells its names; snake_case, as given, when absent. */
	spell?(fields: CitationFields): object;
}

/** What an answer gains: where it cites the files, and the search behind it. */
export interface CitationFields {
	citations: FileCitation[];
	file_search: { queries: string[]; results: FileSearchHit[] };
}

/** How the annotated stream is written: SSE unless the dialect streams otherwise (Gemini's JSON array). */
export interface StreamFraming {
	/** One event, given as its data (JSON text) and SSE event name. */
	event(data: string, name: string | undefined): string;
	close(): string;
}

const sseFraming = (): StreamFraming => ({ event: (data, name) => sse(data, name), close: () => "" });

const jsonRecord = z.record(z.string(), z.unknown());

/**
 * The gateway's `file_search` extension on a dialect without the tool: the answer gets a top-level `citations`
 * array and the search's `file_search: {queries, results}`. A stream carries them on the event that ends the
 * answer: the text is whole by then and clients already read that event as the end, so no event of a new shape is
 * needed and none is held back.
 */
export function citationsAnnotation(search: FileSearch, dialect: CitedDialect, frame: () => StreamFraming = sseFraming): AnswerAnnotation {
	const fields = (text: string): object => {
		const all: CitationFields = { citations: citationsOf(text, search), file_search: { queries: search.queries, results: search.hits } };
		return dialect.spell ? dialect.spell(all) : all;
	};
	return {
		answer: (json) => ({ ...json, ...fields(dialect.answerText(json)) }),
		stream(): SseMapper {
			const out = frame();
			let text = "";
			let added = false;
			return {
				map(event) {
					const as = out.event(event.data, event.event);
					if (added) return as;
					// The event goes on as the upstream wrote it, plus the fields: a schema's reading would drop what it does not name.
					const json = parseEvent(jsonRecord, event.data);
					if (!json) return as;
					const share = dialect.eventText(json);
					text += share.text;
					if (!share.ends) return as;
					added = true;
					return out.event(JSON.stringify({ ...json, ...fields(text) }), event.event);
				},
				end: () => out.close(),
			};
		},
	};
}
