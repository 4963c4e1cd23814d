import type { Context } from "hono";
import type { z } from "zod";
import { conversationOwner } from "../../auth/policy";
import { historyFor } from "../../conversations/history";
import { toStoredItems } from "../../conversations/items";
import { type AppEnv, config } from "../../env";
import { fitContext } from "../../protocols/fit-context";
import type { ChatRequest } from "../../protocols/ir";
import { responsesIngressFor } from "../../protocols/responses";
import { conversationOf } from "../../protocols/responses/settings";
import { relayChat } from "../../relay/chat";
import type { ResponsesCreate, responsesCreate } from "../responses-schemas";
import { gatherContext, relayedWithContext } from "./chat-context";
import { endUserFor } from "./chat-memory";
import { runFileSearch, splitFileSearch } from "./file-search";
import { type Keeping, keepResponse } from "./keep-response";
import { relayed } from "./relayed";

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

/**
 * A Responses API call as the caller in `c.var.caller` makes it: /v1/responses with a key, and the dashboard's Chat
 * page (/api/playground/responses) as a key named by id.
 */
export async function createResponse(c: Context<AppEnv>, request: z.output<typeof responsesCreate>): Promise<Response> {
	const { memory, ...body } = request;
	const stream = body.stream === true;
	const endUser = endUserFor(c, memory?.user_id ?? body.user);
	const fileSearch = splitFileSearch(body.tools);
	const stateful = body.store !== false || !!body.previous_response_id || !!body.conversation;
	if (!stateful && !fileSearch && endUser === undefined) {
		const ingress = responsesIngressFor(body);
		return relayed(c, (req) => relayChat(req, { ingress, native: body, chat: truncated(c, body, ingress.toChat(body)), stream, cache: req.caller.cache }));
	}
	const state = stateful ? await stateOf(c, body) : undefined;
	const sent = state?.sent ?? body;
	// The gateway runs the file search itself, then asks the model with the excerpts; the model never sees the tool.
	const forModel = fileSearch ? { ...sent, tools: fileSearch.others } : sent;
	const asked = truncated(c, body, responsesIngressFor(forModel).toChat(forModel));
	const found = await gatherContext(c, asked, fileSearch && ((q) => runFileSearch(c, fileSearch.tool, q, body.include)), endUser);
	const ingress = responsesIngressFor(body, found.search);
	const res = await relayedWithContext(c, found, (req) => relayChat(req, { ingress, native: forModel, chat: found.chat, stream, cache: req.caller.cache }));
	// With store false and no conversation there is nothing to keep: the answer passes as the plain relay's does.
	const keeps = state && (state.keeping.store || state.keeping.conversation);
	return keeps ? keepResponse(c, { ...state.keeping, search: found.search }, res) : res;
}
