import type { ChatMessage, ChatRequest } from "./ir";

/**
 * File search done by the gateway before a chat goes upstream (OpenAI's `file_search` tool on /v1/responses): the
 * excerpts found are given to the model in a system message, numbered, and the answer cites them. Any dialect and
 * any channel can carry it, since the model sees only text.
 */
export interface FileSearchHit {
	file_id: string;
	filename: string;
	score: number;
	text: string;
	attributes: Record<string, string | number | boolean> | null;
}

export interface FileSearch {
	/** The `file_search_call` item's id. */
	id: string;
	queries: string[];
	hits: FileSearchHit[];
	/** `include: ["file_search_call.results"]`: the item lists its results, as OpenAI does only when asked. */
	includeResults: boolean;
}

export interface FileCitation {
	type: "file_citation";
	file_id: string;
	filename: string;
	/** Where in the text the citation applies. */
	index: number;
}

/** The instructions that hand the model the excerpts, each numbered for citing. */
export function excerptsText(search: FileSearch): string {
	const excerpts = search.hits.map((h, i) => `[${i + 1}] ${h.filename}\n${h.text}`).join("\n\n");
	return search.hits.length === 0
		? "A search of the user's files found nothing relevant to the question. Say so if the answer depends on them."
		: `Excerpts from the user's files, found by searching them for the question. Answer from them where they are relevant, and cite an excerpt by its number in square brackets, like [1], right after what it supports.\n\n${excerpts}`;
}

/**
 * The answer's citations: each `[n]` the model wrote names excerpt n's file, at that place. An answer that cites
 * no excerpt by number was still written with them in view, so it cites each file they came from, at its end.
 */
export function citationsOf(text: string, search: FileSearch): FileCitation[] {
	const cited: FileCitation[] = [];
	for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
		const hit = search.hits[Number(match[1]) - 1];
		if (hit) cited.push({ type: "file_citation", file_id: hit.file_id, filename: hit.filename, index: match.index });
	}
	if (cited.length > 0) return cited;
	const files = new Map(search.hits.map((h) => [h.file_id, h.filename]));
	return [...files].map(([file_id, filename]) => ({ type: "file_citation", file_id, filename, index: text.length }));
}

/** A message's text, its text parts joined; nothing for a message without text. */
export function messageText(m: ChatMessage): string {
	if (!m.content) return "";
	if (typeof m.content === "string") return m.content;
	return m.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");
}

/** The last user turn's text: what a file search and a memory search look for. */
export function lastUserText(chat: ChatRequest): string {
	const user = chat.messages.findLast((m) => m.role === "user");
	return user ? messageText(user) : "";
}
