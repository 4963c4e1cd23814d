import { z } from "zod";
import { cursorOf, pageLimit } from "./shared/pagination";
import { positiveId } from "./shared/params";

/** Newest first, so a page ends at its least recently active row: (updated_at, id) of that row. */
export const conversationCursor = cursorOf(z.tuple([z.number().int(), z.string()]));

export const conversationListQuery = z.object({
	app_id: z.string().min(1).max(100).optional().describe("Only this chat app's conversations"),
	key_id: positiveId.optional().describe("Only the conversations this key started"),
	user_id: positiveId.optional().describe("The operator may narrow to one user; a user may name only themselves (403 otherwise)"),
	q: z.string().max(200).optional().describe("Words to find in titles and message text"),
	limit: pageLimit(20, 100),
	cursor: conversationCursor.optional(),
});

export const conversationIdParam = z.object({ id: z.string().min(1).max(100) });
export const turnParam = conversationIdParam.extend({ turn_id: z.string().min(1).max(100) });

export const conversationStart = z.object({
	key_id: positiveId.describe("The key whose messages the conversation will hold: one of your own (the operator: anyone's)"),
	name: z.string().trim().min(1).max(200).optional(),
});

export const conversationRename = z.object({ name: z.string().trim().min(1).max(200) });

export const feedbackInput = z.object({
	rating: z.enum(["like", "dislike"]).nullable().describe("null clears the feedback"),
	content: z.string().max(2000).nullish(),
});

export const feedbackView = z.object({ rating: z.enum(["like", "dislike"]).nullable(), content: z.string().nullable() });

export const conversationHeader = z.object({
	id: z.string(),
	/** Its title, or the start of its first user message while it has none. */
	name: z.string().nullable(),
	/** Whether `name` is a title someone gave it (rather than the first message's excerpt). */
	named: z.boolean(),
	user_id: z.number(),
	app_id: z.string().nullable(),
	end_user: z.string().nullable(),
	key_id: z.number().nullable(),
	created_at: z.string(),
	updated_at: z.string(),
});

export const conversationSummary = conversationHeader.extend({
	turns: z.number(),
	/** For a search, the matching passage of a message; null when only the title matched. */
	snippet: z.string().nullable(),
});

export const conversationPage = z.object({ data: z.array(conversationSummary), next_cursor: z.string().nullable() });

export const turnView = z.object({
	id: z.string(),
	model: z.string(),
	status: z.string(),
	input_tokens: z.number(),
	output_tokens: z.number(),
	cost_usd: z.number(),
	latency_ms: z.number(),
	/** The excerpts retrieval gave the model, as Dify's retriever_resources (position, document_name, score, content…). */
	sources: z.array(z.record(z.string(), z.unknown())),
	feedback: feedbackView,
	created_at: z.string(),
});

export const threadView = conversationHeader.extend({
	/** The items in order, in runs: a model's turn with what it took, or items added outside a turn (`turn` null). */
	parts: z.array(z.object({ turn: turnView.nullable(), items: z.array(z.looseObject({ id: z.string(), type: z.string() })) })),
});

/** A summary asked for: the memory extraction's event, pollable at /mem0/v1/event/{id}/; null when there was nothing said to sum up. */
export const summaryQueued = z.object({ event_id: z.string().nullable() });
