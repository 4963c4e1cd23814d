import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { audit } from "../audit/record";
import { difyScope } from "../auth/policy";
import {
	type DifyConversation,
	type DifyMessage,
	findDifyConversation,
	historyOf,
	listDifyConversations,
	listMessages,
	renameConversation,
	setFeedback,
} from "../conversations/dify-store";
import { deleteConversation } from "../conversations/store";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { ownerRelayRequest, recordFailure } from "../knowledge/owner-relay";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import { bodyLimit } from "../middleware/body-limit";
import { difyAuth } from "../middleware/dify-auth";
import { openaiIngress } from "../protocols/openai";
import { relayChat } from "../relay/chat";
import {
	type appParameters,
	conversationListQuery,
	conversationParam,
	type conversationView,
	deleteBody,
	feedbackBody,
	IMAGES_PER_MESSAGE,
	messageListQuery,
	messageParam,
	type messageView,
	renameBody,
} from "./dify-schemas";
import { appOf } from "./shared/dify-app";

const seconds = (ms: number) => Math.floor(ms / 1000);
/** The title a rename asks the model for is cut to this many characters. */
const TITLE_CHARS = 100;
/** The usage log's endpoint for a title asked of the model. */
const TITLE_ENDPOINT = "/dify/v1/conversations/name";

function conversationOut(c: DifyConversation, introduction: string): z.infer<typeof conversationView> {
	return {
		id: c.id,
		name: c.name,
		inputs: c.metadata ?? {},
		status: "normal",
		introduction,
		created_at: seconds(c.createdAt),
		updated_at: seconds(c.updatedAt),
	};
}

/** Dify's message status: `normal`, `error` for an answer that failed, and the gateway's `stopped` for one cut short. */
function messageStatus(turn: string): string {
	if (turn === "stopped") return "stopped";
	return turn === "completed" ? "normal" : "error";
}

function messageOut(c: DifyConversation, m: DifyMessage): z.infer<typeof messageView> {
	return {
		id: m.id,
		conversation_id: c.id,
		inputs: c.metadata ?? {},
		query: m.query,
		answer: m.answer,
		status: messageStatus(m.status),
		message_files: m.images.map((img, i) => ({ id: img.fileId ?? `${m.id}-${i}`, type: "image", url: img.url ?? "", belongs_to: "user" })),
		feedback: m.feedback === null ? null : { rating: m.feedback },
		retriever_resources: m.sources,
		created_at: seconds(m.createdAt),
	};
}

const completion = z.looseObject({ choices: z.array(z.looseObject({ message: z.looseObject({ content: z.string().nullish() }) })).min(1) });

/** A short title for the conversation, asked of the app's model through the relay (billed to the app key like any chat). */
async function generatedTitle(c: Context<AppEnv>, model: string, conversation: DifyConversation): Promise<string> {
	const history = await historyOf(c.env.DB, conversation.id, 6);
	const transcript = history.map((m) => `${m.role}: ${typeof m.content === "string" ? m.content.slice(0, 2_000) : ""}`).join("\n");
	const chat = {
		model,
		messages: [
			{ role: "system" as const, content: "Give the conversation below a short title of at most eight words. Answer with the title alone, without quotes." },
			{ role: "user" as const, content: transcript || conversation.name },
		],
		max_tokens: 30,
	};
	// Asked by the gateway as the app key, as memory extraction is: limited, recorded and billed like the key's own chat.
	const owner = { env: c.env, waitUntil: (w: Promise<unknown>) => c.executionCtx.waitUntil(w), caller: c.get("caller"), trace: c.get("trace") };
	const req = ownerRelayRequest(owner, c.get("requestId"), TITLE_ENDPOINT);
	const res = await relayChat(req, { ingress: openaiIngress, native: { ...chat }, chat, stream: false }).catch((err: unknown) => {
		recordFailure(owner, req, err);
		throw err;
	});
	const parsed = completion.safeParse(await res.json());
	const text = parsed.success ? (parsed.data.choices[0]?.message.content ?? "") : "";
	return text.replace(/^["'\s]+|["'\s.]+$/g, "").slice(0, TITLE_CHARS) || conversation.name;
}

/** Dify's conversation and message routes, parameters and meta, for the calling app key's app (mounted at /dify/v1). */
export const difyRoutes = new Hono<AppEnv>()
	.get("/conversations", difyAuth(), valid("query", conversationListQuery), async (c) => {
		const q = c.req.valid("query");
		const app = await appOf(c);
		const page = await listDifyConversations(c.env.DB, difyScope(c.get("caller"), q.user), { limit: q.limit, lastId: q.last_id });
		return c.json({ limit: q.limit, has_more: page.hasMore, data: page.rows.map((r) => conversationOut(r, app.openingStatement)) });
	})
	.get("/messages", difyAuth(), valid("query", messageListQuery), async (c) => {
		const q = c.req.valid("query");
		const conversation = await findDifyConversation(c.env.DB, q.conversation_id, difyScope(c.get("caller"), q.user));
		const page = await listMessages(c.env.DB, conversation, { limit: q.limit, firstId: q.first_id });
		return c.json({ limit: q.limit, has_more: page.hasMore, data: page.messages.map((m) => messageOut(conversation, m)) });
	})
	.post("/conversations/:conversation_id/name", difyAuth(), bodyLimit(), valid("param", conversationParam), valid("json", renameBody), async (c) => {
		const body = c.req.valid("json");
		const conversation = await findDifyConversation(c.env.DB, c.req.valid("param").conversation_id, difyScope(c.get("caller"), body.user));
		const app = await appOf(c);
		const name = body.auto_generate === true ? await generatedTitle(c, app.model, conversation) : (body.name ?? "");
		return c.json(conversationOut(await renameConversation(c.env.DB, conversation, name), app.openingStatement));
	})
	.delete("/conversations/:conversation_id", difyAuth(), bodyLimit(), valid("param", conversationParam), async (c) => {
		// dify-client sends `user` in a JSON body on DELETE; other clients put it in the query.
		const text = await c.req.text();
		let json: unknown = {};
		try {
			json = text ? JSON.parse(text) : {};
		} catch {
			throw new GatewayError("invalid_json", "The body is not valid JSON");
		}
		const body = deleteBody.safeParse(json);
		if (!body.success) throw new GatewayError("invalid_request", describeIssues(body.error.issues).message);
		const user = c.req.query("user") ?? body.data.user;
		if (user === undefined || user.trim() === "") throw new GatewayError("invalid_request", "'user' is required", { param: "user" });
		const conversation = await findDifyConversation(c.env.DB, c.req.valid("param").conversation_id, difyScope(c.get("caller"), user.trim()));
		await deleteConversation(c.env.DB, conversation);
		audit(c, { action: "conversation.delete", objectType: "conversation", objectId: conversation.id, detail: { app_id: c.get("caller").appId } });
		return c.body(null, 204);
	})
	.post("/messages/:message_id/feedbacks", difyAuth(), bodyLimit(), valid("param", messageParam), valid("json", feedbackBody), async (c) => {
		const body = c.req.valid("json");
		await setFeedback(c.env.DB, difyScope(c.get("caller"), body.user), c.req.valid("param").message_id, body.rating, body.content ?? null);
		return c.json({ result: "success" as const });
	})
	.get("/parameters", difyAuth(), async (c) => {
		const app = await appOf(c);
		const imageMb = Math.floor(config(c.env).filesMaxBytes / 1_048_576);
		const parameters: z.infer<typeof appParameters> = {
			opening_statement: app.openingStatement,
			suggested_questions: app.suggestedQuestions,
			suggested_questions_after_answer: { enabled: false },
			speech_to_text: { enabled: false },
			retriever_resource: { enabled: app.vectorStoreIds.length > 0 },
			annotation_reply: { enabled: false },
			user_input_form: [],
			file_upload: { image: { enabled: true, number_limits: IMAGES_PER_MESSAGE, detail: "high", transfer_methods: ["remote_url", "local_file"] } },
			system_parameters: { image_file_size_limit: imageMb },
		};
		return c.json(parameters);
	})
	.get("/meta", difyAuth(), (c) => c.json({ tool_icons: {} }));
