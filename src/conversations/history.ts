import { GatewayError } from "../errors/gateway-error";
import { spooledResponse } from "./response-writes";
import { type ChainLink, responseChain } from "./responses";
import { type ConversationRow, conversationHistory } from "./store";

/** How far back a turn's history reaches: responses up a `previous_response_id` chain, items of a conversation. */
const MAX_CHAIN = 1000;
const MAX_CONVERSATION_ITEMS = 2000;

/** The output items a later turn is given back: a file search's call is the gateway's own doing, not the model's. */
const REPLAYED = new Set(["message", "function_call", "function_call_output", "reasoning"]);

export interface History {
	/** The earlier items, oldest first, to go before the request's own input. */
	items: Record<string, unknown>[];
	/** The conversation the turn belongs to, when it names one. */
	conversation: ConversationRow | undefined;
}

export interface StateRequest {
	previous_response_id?: string | null | undefined;
	conversation?: { id: string } | null | undefined;
}

function itemsOf(chain: ChainLink[]): Record<string, unknown>[] {
	return chain.flatMap((r) => [...r.input, ...r.output.filter(replayed)]);
}

function replayed(item: unknown): item is Record<string, unknown> {
	return typeof item === "object" && item !== null && "type" in item && typeof item.type === "string" && REPLAYED.has(item.type);
}

async function chainTo(env: Env, id: string, ownerId: number, now: number): Promise<ChainLink[]> {
	const chain = await responseChain(env.DB, id, ownerId, now, MAX_CHAIN);
	if (chain.length > 0) return chain;
	// Not in D1 (the chain's query has just looked): perhaps spooled a moment ago because D1 failed (response-writes.ts).
	const spooled = await spooledResponse(env, id, ownerId, now);
	if (!spooled) throw new GatewayError("not_found", `Previous response with id '${id}' not found.`, { param: "previous_response_id" });
	const link = { input: spooled.input, output: spooled.response.output };
	return spooled.previousResponseId ? [...(await responseChain(env.DB, spooled.previousResponseId, ownerId, now, MAX_CHAIN - 1)), link] : [link];
}

/** What a Responses request's `previous_response_id` or `conversation` names, as items; another user's is a 404. */
export async function historyFor(env: Env, ownerId: number, req: StateRequest, now: number): Promise<History> {
	if (req.previous_response_id && req.conversation) {
		throw new GatewayError(
			"invalid_request",
			"Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
			{ param: "conversation" },
		);
	}
	if (req.previous_response_id) return { items: itemsOf(await chainTo(env, req.previous_response_id, ownerId, now)), conversation: undefined };
	if (req.conversation) {
		return conversationHistory(env.DB, req.conversation.id, ownerId, MAX_CONVERSATION_ITEMS);
	}
	return { items: [], conversation: undefined };
}
