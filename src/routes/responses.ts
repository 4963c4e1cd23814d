import type { Context } from "hono";
import { Hono } from "hono";
import { conversationOwner } from "../auth/policy";
import { historyFor } from "../conversations/history";
import { toStoredItems } from "../conversations/items";
import { findResponse } from "../conversations/response-writes";
import { deleteResponse, responseNotFound } from "../conversations/responses";
import { type AppEnv, config } from "../env";
import { listObject } from "../knowledge/pages";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { fitContext } from "../protocols/fit-context";
import type { ChatRequest } from "../protocols/ir";
import { responsesIngressFor } from "../protocols/responses";
import { conversationOf } from "../protocols/responses/settings";
import { relayChat } from "../relay/chat";
import { deletedResponse, inputItemList, inputItemPage, type ResponsesCreate, responseIdParam, responseObject, responsesCreate } from "./responses-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { runFileSearch, splitFileSearch } from "./shared/file-search";
import { type Keeping, keepResponse } from "./shared/keep-response";
import { relayed } from "./shared/relayed";

const DAY_MS = 86_400_000;

/** A string input is one user message, as OpenAI reads it. */
function inputItems(input: ResponsesCreate["input"]): Record<string, unknown>[] {
	return typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
}

/**
 * What a stateful call (`store`, OpenAI's default; `previous_response_id`; `conversation`) sends the model and
 * keeps: the history those name goes before the request's input, and the input is kept with the answer.
 */
async function stateOf(c: Context<AppEnv>, body: ResponsesCreate): Promise<{ sent: ResponsesCreate; keeping: Keeping }> {
	const startedAt = Date.now();
	const ownerId = conversationOwner(c.get("caller"));
	const conversation = conversationOf(body.conversation);
	const history = await historyFor(c.env, ownerId, { previous_response_id: body.previous_response_id, conversation }, startedAt);
	const raw = inputItems(body.input);
	const input = toStoredItems(raw, Number.POSITIVE_INFINITY, "input");
	const days = config(c.env).responseRetentionDays;
	const sent = history.items.length > 0 ? { ...body, input: [...history.items, ...raw] } : body;
	return {
		sent,
		keeping: {
			ownerId,
			store: body.store !== false,
			previousResponseId: body.previous_response_id ?? null,
			conversation: history.conversation,
			input,
			search: undefined,
			startedAt,
			expiresAt: days === 0 ? null : startedAt + days * DAY_MS,
		},
	};
}

/** With `truncation: "auto"`, the oldest turns go until the chat fits CONTEXT_WINDOW_TOKENS; how many is a header. */
function truncated(c: Context<AppEnv>, body: ResponsesCreate, chat: ChatRequest): ChatRequest {
	if (body.truncation !== "auto") return chat;
	const cfg = config(c.env);
	const fit = fitContext(chat, cfg.contextWindowTokens, body.max_output_tokens ?? cfg.reserveDefaultOutputTokens);
	if (fit.dropped > 0) c.header("x-gateway-history-dropped", String(fit.dropped));
	return fit.chat;
}

/** OpenAI's Responses API, mounted at /v1; every channel is reached through the internal representation. */
export const responsesRoutes = new Hono<AppEnv>()
	.post("/responses", usageMeter(), callerAuth(), bodyLimit(), valid("json", responsesCreate), async (c) => {
		const { memory, ...body } = c.req.valid("json");
		const stream = body.stream === true;
		const endUser = endUserFor(c, memory?.user_id ?? body.user);
		const fileSearch = splitFileSearch(body.tools);
		const stateful = body.store !== false || !!body.previous_response_id || !!body.conversation;
		if (!stateful && !fileSearch && endUser === undefined) {
			const ingress = responsesIngressFor(body);
			return relayed(c, (req) => relayChat(req, { ingress, native: body, chat: truncated(c, body, ingress.toChat(body)), stream }));
		}
		const state = stateful ? await stateOf(c, body) : undefined;
		const sent = state?.sent ?? body;
		// The gateway runs the file search itself, then asks the model with the excerpts; the model never sees the tool.
		const forModel = fileSearch ? { ...sent, tools: fileSearch.others } : sent;
		const asked = truncated(c, body, responsesIngressFor(forModel).toChat(forModel));
		const found = await gatherContext(c, asked, fileSearch && ((q) => runFileSearch(c, fileSearch.tool, q, body.include)), endUser);
		const ingress = responsesIngressFor(body, found.search);
		const res = await relayedWithContext(c, found, (req) => relayChat(req, { ingress, native: forModel, chat: found.chat, stream }));
		return state ? keepResponse(c, { ...state.keeping, search: found.search }, res) : res;
	})
	.get("/responses/:response_id", callerAuth(), valid("param", responseIdParam), async (c) => {
		const { response_id } = c.req.valid("param");
		const stored = await findResponse(c.env, response_id, conversationOwner(c.get("caller")), Date.now());
		if (!stored) throw responseNotFound(response_id);
		return c.json(stored.response);
	})
	.delete("/responses/:response_id", callerAuth(), valid("param", responseIdParam), async (c) => {
		const { response_id } = c.req.valid("param");
		if (!(await deleteResponse(c.env.DB, response_id, conversationOwner(c.get("caller"))))) throw responseNotFound(response_id);
		return c.json({ id: response_id, object: "response" as const, deleted: true });
	})
	.get("/responses/:response_id/input_items", callerAuth(), valid("param", responseIdParam), valid("query", inputItemList), async (c) => {
		const { response_id } = c.req.valid("param");
		const stored = await findResponse(c.env, response_id, conversationOwner(c.get("caller")), Date.now());
		if (!stored) throw responseNotFound(response_id);
		const q = c.req.valid("query");
		const ordered = q.order === "asc" ? stored.input : [...stored.input].reverse();
		const from = q.after === undefined ? 0 : ordered.findIndex((i) => i.id === q.after) + 1;
		const page = ordered.slice(from, from + q.limit).flatMap((i) => (typeof i.id === "string" ? [{ ...i, id: i.id }] : []));
		return c.json(listObject(page, from + q.limit < ordered.length));
	});

export const responsesDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/responses",
		summary:
			"Create a model response, OpenAI Responses style (streams as SSE when `stream` is true); kept unless `store` is false, continuing `previous_response_id` or `conversation`",
		tag: "Relay",
		auth: "key",
		body: responsesCreate,
		response: responseObject,
		errors: [403, 404, 413, 429, 502, 503, 504],
		streams: true,
	},
	{
		method: "get",
		path: "/v1/responses/{response_id}",
		summary: "A stored response, as it was returned",
		tag: "Relay",
		auth: "key",
		response: responseObject,
		errors: [404],
	},
	{
		method: "delete",
		path: "/v1/responses/{response_id}",
		summary: "Delete a stored response",
		tag: "Relay",
		auth: "key",
		response: deletedResponse,
		errors: [404],
	},
	{
		method: "get",
		path: "/v1/responses/{response_id}/input_items",
		summary: "The input items of a stored response (its own, not the history it continued), newest first unless `order` is asc",
		tag: "Relay",
		auth: "key",
		query: inputItemList,
		response: inputItemPage,
		errors: [404],
	},
];
