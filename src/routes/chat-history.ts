import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { ownerScope, scopeToOwner } from "../auth/policy";
import { toUsd } from "../billing/money";
import { findApp } from "../conversations/apps";
import {
	type BrowsedConversation,
	type ConversationSummary,
	findBrowsable,
	listConversations,
	readThread,
	renameConversation,
	setTurnFeedback,
	startConversation,
	type TurnRow,
} from "../conversations/browse";
import { deleteConversation } from "../conversations/store";
import { summarise } from "../conversations/summarise";
import { db } from "../db/client";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import {
	conversationHeader,
	conversationIdParam,
	conversationListQuery,
	conversationPage,
	conversationRename,
	conversationStart,
	type conversationSummary,
	feedbackInput,
	feedbackView,
	summaryQueued,
	threadView,
	turnParam,
	type turnView,
} from "./chat-history-schemas";
import { keyById } from "./shared/key-by-id";
import { encodeCursor } from "./shared/pagination";

const isoOf = (ms: number) => new Date(ms).toISOString();

function header(c: BrowsedConversation) {
	return {
		id: c.id,
		name: c.name ?? c.excerpt,
		named: c.name !== null,
		user_id: c.owner_id,
		app_id: c.app_id,
		end_user: c.end_user,
		key_id: c.key_id,
		created_at: isoOf(c.created_at),
		updated_at: isoOf(c.updated_at),
	};
}

const summary = (r: ConversationSummary): z.infer<typeof conversationSummary> => ({ ...header(r), turns: r.turns, snippet: r.snippet });

const turn = (t: TurnRow): z.infer<typeof turnView> => ({
	id: t.id,
	model: t.model,
	status: t.status,
	input_tokens: t.input_tokens,
	output_tokens: t.output_tokens,
	cost_usd: toUsd(t.cost_nusd),
	latency_ms: t.latency_ms,
	sources: t.sources,
	feedback: { rating: t.feedback, content: t.feedback_content },
	created_at: isoOf(t.created_at),
});

/**
 * The dashboard's Chat page: every conversation of the gateway's users, whichever API wrote it (stored Responses,
 * /v1/conversations, Dify's chat apps). A user reaches only their own; another user's conversation is 404.
 */
export const chatHistoryRoutes = new Hono<AppEnv>()
	.get("/", valid("query", conversationListQuery), async (c) => {
		const q = c.req.valid("query");
		const page = await listConversations(c.env.DB, {
			ownerId: scopeToOwner(c.get("principal"), q.user_id),
			appId: q.app_id,
			keyId: q.key_id,
			q: q.q,
			limit: q.limit,
			after: q.cursor,
		});
		const last = page.rows.at(-1);
		return c.json({
			data: page.rows.map(summary),
			next_cursor: page.hasMore && last ? encodeCursor([last.updated_at, last.id]) : null,
		} satisfies z.infer<typeof conversationPage>);
	})
	.post("/", valid("json", conversationStart), async (c) => {
		const body = c.req.valid("json");
		// Only a key the principal may act as, as the playground checks it: the conversation is that key's user's.
		const caller = await keyById(c.env, body.key_id, c.get("principal"), "key_id");
		const conversation = await startConversation(c.env.DB, caller.userId, caller.keyId, body.name ?? null);
		return c.json(header(conversation) satisfies z.infer<typeof conversationHeader>, 201);
	})
	.get("/:id", valid("param", conversationIdParam), async (c) => {
		const conversation = await findBrowsable(c.env.DB, c.req.valid("param").id, ownerScope(c.get("principal")));
		const parts = await readThread(c.env.DB, conversation.id);
		return c.json({
			...header(conversation),
			parts: parts.map((p) => ({ turn: p.turn && turn(p.turn), items: p.items })),
		} satisfies z.infer<typeof threadView>);
	})
	.patch("/:id", valid("param", conversationIdParam), valid("json", conversationRename), async (c) => {
		const conversation = await findBrowsable(c.env.DB, c.req.valid("param").id, ownerScope(c.get("principal")));
		const { name } = c.req.valid("json");
		await renameConversation(c.env.DB, conversation.id, name);
		return c.json(header({ ...conversation, name }) satisfies z.infer<typeof conversationHeader>);
	})
	.delete("/:id", valid("param", conversationIdParam), async (c) => {
		const conversation = await findBrowsable(c.env.DB, c.req.valid("param").id, ownerScope(c.get("principal")));
		await deleteConversation(c.env.DB, conversation);
		audit(c, { action: "conversation.delete", objectType: "conversation", objectId: conversation.id, userId: conversation.owner_id });
		return c.json({ id: conversation.id, deleted: true });
	})
	.post("/:id/summarize", valid("param", conversationIdParam), async (c) => {
		const conversation = await findBrowsable(c.env.DB, c.req.valid("param").id, ownerScope(c.get("principal")));
		const app = conversation.app_id === null ? undefined : await findApp(db(c.env), conversation.app_id, conversation.owner_id).catch(() => undefined);
		const { end_user: endUser, key_id: keyId } = conversation;
		if (app?.memoryMode !== "read_write" || endUser === null || keyId === null) {
			throw new GatewayError("invalid_request", "Only a conversation of a chat app whose memory_mode is read_write is summed up into its end user's memories", {
				param: "id",
			});
		}
		const eventId = await summarise(c.env, { id: conversation.id, ownerId: conversation.owner_id, endUser, keyId }, Date.now(), { again: true });
		return c.json({ event_id: eventId ?? null } satisfies z.infer<typeof summaryQueued>, 202);
	})
	.put("/:id/turns/:turn_id/feedback", valid("param", turnParam), valid("json", feedbackInput), async (c) => {
		const { id, turn_id } = c.req.valid("param");
		const conversation = await findBrowsable(c.env.DB, id, ownerScope(c.get("principal")));
		const body = c.req.valid("json");
		const feedback = { rating: body.rating, content: body.rating === null ? null : (body.content ?? null) };
		await setTurnFeedback(c.env.DB, conversation.id, turn_id, feedback);
		return c.json(feedback satisfies z.infer<typeof feedbackView>);
	});

const path = "/api/conversations/{id}";
const doc = (method: OperationDoc["method"], p: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path: p,
	summary,
	tag: "Conversations",
	auth: "user",
	errors: [404],
	...extra,
});

export const chatHistoryDocs: OperationDoc[] = [
	doc("get", "/api/conversations", "The dashboard's conversations, last active first, searchable by title and message text", {
		query: conversationListQuery,
		response: conversationPage,
		errors: [400, 403],
	}),
	doc("post", "/api/conversations", "Start an empty conversation for one of your keys, for the Chat page to send its first message in", {
		body: conversationStart,
		response: conversationHeader,
		errors: [400, 403, 404],
	}),
	doc("get", path, "A conversation's thread: its items grouped by turn, with each turn's model, tokens, cost, latency, sources and feedback", {
		response: threadView,
	}),
	doc("patch", path, "Rename a conversation", { body: conversationRename, response: conversationHeader, errors: [400, 403, 404] }),
	doc("delete", path, "Delete a conversation, its turns and its items", { errors: [403, 404] }),
	doc("post", `${path}/summarize`, "Sum a chat app's conversation up into its end user's memories now (the app's memory_mode read_write)", {
		response: summaryQueued,
		errors: [400, 403, 404],
	}),
	doc("put", `${path}/turns/{turn_id}/feedback`, "Like or dislike a turn (null clears it)", {
		body: feedbackInput,
		response: feedbackView,
		errors: [400, 403, 404],
	}),
];
