/** The conversation store as the Chat page reads it (/api/conversations), whichever API wrote the conversation. */

import { api, query } from "../../api";

export interface ConversationHeader {
	id: string;
	/** Its title, or the start of its first message while it has none. */
	name: string | null;
	named: boolean;
	user_id: number;
	app_id: string | null;
	end_user: string | null;
	key_id: number | null;
	created_at: string;
	updated_at: string;
}

export interface ConversationSummary extends ConversationHeader {
	turns: number;
	/** The passage of a message a search matched; null when only the title did. */
	snippet: string | null;
}

export type Rating = "like" | "dislike";

/** A cited excerpt, as Dify's retriever_resources: what retrieval gave the model for this turn. */
export interface Source {
	position?: number;
	dataset_name?: string;
	document_name?: string;
	score?: number;
	content?: string;
}

export interface Turn {
	id: string;
	model: string;
	status: string;
	input_tokens: number;
	output_tokens: number;
	cost_usd: number;
	latency_ms: number;
	sources: Source[];
	feedback: { rating: Rating | null; content: string | null };
	created_at: string;
}

/** An item as OpenAI's Conversations API returns it: a message, a tool call and its output, or another kind. */
export interface Item {
	id: string;
	type: string;
	role?: string;
	content?: string | { type: string; text?: string }[];
	name?: string;
	arguments?: string;
	call_id?: string;
	output?: unknown;
}

export interface Thread extends ConversationHeader {
	parts: { turn: Turn | null; items: Item[] }[];
}

/** Which conversations the page shows: everyone's of the user, one app's, or one key's. */
export type Scope = { kind: "all" } | { kind: "app"; id: string } | { kind: "key"; id: number };

/** The list's path; `userId` (the operator's filter) narrows it to one user's conversations. */
export const listPath = (scope: Scope, userId: string, q: string, cursor: string | undefined) =>
	`/api/conversations${query({
		user_id: userId,
		app_id: scope.kind === "app" ? scope.id : undefined,
		key_id: scope.kind === "key" ? scope.id : undefined,
		q: q.trim(),
		cursor,
	})}`;

const path = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

export const chatApi = {
	thread: (id: string) => api<Thread>("GET", path(id)),
	start: (keyId: number) => api<ConversationHeader>("POST", "/api/conversations", { key_id: keyId }),
	rename: (id: string, name: string) => api<ConversationHeader>("PATCH", path(id), { name }),
	remove: (id: string) => api<unknown>("DELETE", path(id)),
	feedback: (id: string, turnId: string, rating: Rating | null) => api<unknown>("PUT", `${path(id)}/turns/${encodeURIComponent(turnId)}/feedback`, { rating }),
};

/** A message's text, whether its content is a string or text parts. */
export function textOf(item: Item): string {
	if (typeof item.content === "string") return item.content;
	return (item.content ?? []).map((p) => p.text ?? "").join("");
}
