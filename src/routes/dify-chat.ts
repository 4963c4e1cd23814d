import type { Context } from "hono";
import { Hono } from "hono";
import { difyScope } from "../auth/policy";
import { type AppRow, appCache } from "../conversations/apps";
import { type DifyConversation, findDifyConversation, historyOf } from "../conversations/dify-store";
import { toStoredItem } from "../conversations/items";
import { stopTurn } from "../conversations/running-turns";
import { type AppEnv, config } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { difyAuth } from "../middleware/dify-auth";
import { usageMeter } from "../middleware/usage-meter";
import { fitContext } from "../protocols/fit-context";
import type { ChatMessage, ChatPart, ChatRequest } from "../protocols/ir";
import { openaiIngress } from "../protocols/openai";
import { newId } from "../protocols/responses/response";
import { relayChat } from "../relay/chat";
import { type ChatMessageCreate, chatMessageCreate, taskParam, userBody } from "./dify-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { blockingTurn, streamingTurn, type TurnPlan } from "./shared/dify-answer";
import { appOf } from "./shared/dify-app";
import { appRetrieval, fillInputs, imageParts, inputStrings } from "./shared/dify-prompt";

/** The history a turn gives the model: the conversation's last messages, at most this many (user and assistant). */
const HISTORY_ITEMS = 100;
/** A new conversation is named after its first question, cut to this many characters; rename gives it a better one. */
const NAME_CHARS = 40;

/** The chat the model gets: the app's system prompt (with `inputs`), the conversation so far, and the question. */
async function askedChat(c: Context<AppEnv>, app: AppRow, body: ChatMessageCreate, conversation: DifyConversation | undefined) {
	const inputs = conversation?.metadata ?? inputStrings(body.inputs);
	const [history, images] = await Promise.all([
		conversation ? historyOf(c.env.DB, conversation.id, HISTORY_ITEMS) : Promise.resolve([]),
		imageParts(c.env, body.files ?? [], app.ownerId),
	]);
	const system = fillInputs(app.systemPrompt, inputs);
	const question: ChatPart[] | string = images.forModel.length ? [{ type: "text", text: body.query }, ...images.forModel] : body.query;
	const messages: ChatMessage[] = [...(system ? [{ role: "system" as const, content: system }] : []), ...history, { role: "user", content: question }];
	// As Dify keeps a conversation within the model's window: the oldest turns go first (CONTEXT_WINDOW_TOKENS).
	const cfg = config(c.env);
	const whole: ChatRequest = { model: app.model, messages, stream: body.response_mode === "streaming", user: body.user };
	const { chat } = fitContext(whole, cfg.contextWindowTokens, cfg.reserveDefaultOutputTokens);
	const userItem = toStoredItem({ type: "message", role: "user", content: [{ type: "input_text", text: body.query }, ...images.stored] }, "query");
	return { chat, inputs, userItem };
}

/** Dify's chat-messages and their stop, for the app of the calling app key (mounted at /dify/v1). */
export const difyChatRoutes = new Hono<AppEnv>()
	.post("/chat-messages", usageMeter(), difyAuth(), bodyLimit(), valid("json", chatMessageCreate), async (c) => {
		const body = c.req.valid("json");
		const app = await appOf(c);
		c.set("caller", { ...c.get("caller"), memoryMode: app.memoryMode });
		const caller = c.get("caller");
		// The app's own response cache setting, else its key's.
		const cache = appCache(app) ?? caller.cache;
		const scope = difyScope(caller, body.user);
		const conversation = body.conversation_id ? await findDifyConversation(c.env.DB, body.conversation_id, scope) : undefined;
		const { chat, inputs, userItem } = await askedChat(c, app, body, conversation);
		const ids = {
			taskId: crypto.randomUUID(),
			messageId: crypto.randomUUID(),
			conversationId: conversation?.id ?? newId("conv"),
			createdAt: Math.floor(Date.now() / 1000),
		};
		const plan: TurnPlan = {
			ids,
			scope,
			newConversation: conversation
				? undefined
				: { id: ids.conversationId, scope, keyId: caller.keyId, name: [...body.query].slice(0, NAME_CHARS).join(""), inputs },
			userItem,
			resources: [],
			meter: c.get("meter"),
			group: caller.group,
			env: c.env,
			waitUntil: (work) => c.executionCtx.waitUntil(work),
		};
		const retrieval = app.vectorStoreIds.length
			? async (question: string) => {
					const found = await appRetrieval(c, app, question);
					plan.resources = found.resources;
					return found.search;
				}
			: undefined;
		const stream = body.response_mode === "streaming";
		// Retrieval, memory and the model's first answer, however long they take: a stream may commit before they end.
		const answered = (async () => {
			const found = await gatherContext(c, chat, retrieval, endUserFor(c, body.user));
			return relayedWithContext(c, found, (req) => relayChat(req, { ingress: openaiIngress, native: { ...found.chat }, chat: found.chat, stream, cache }));
		})();
		if (stream) {
			const out = await streamingTurn(plan, answered);
			return c.newResponse(out.body, out);
		}
		const res = await answered;
		// The rate-limit and channel headers the relay settled on go out with Dify's answer too.
		const headers = new Headers(res.headers);
		headers.delete("content-length");
		headers.set("content-type", "application/json");
		return c.newResponse(JSON.stringify(await blockingTurn(plan, res)), { headers });
	})
	.post("/chat-messages/:task_id/stop", difyAuth(), bodyLimit(), valid("param", taskParam), valid("json", userBody), async (c) => {
		// Dify answers success whether or not the task was still running (or is someone else's: nothing to tell them).
		await stopTurn(c.req.valid("param").task_id, difyScope(c.get("caller"), c.req.valid("json").user));
		return c.json({ result: "success" as const });
	});
