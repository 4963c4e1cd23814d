import type { Context } from "hono";
import { z } from "zod";
import type { MemoryMessage } from "../../../queues/memory-message";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { fitsQueue, queueExtraction } from "../../memory/enqueue";
import { entitiesFilter } from "../../memory/filters";
import { searchMemories } from "../../memory/search";
import { messageText } from "../../protocols/file-search";
import type { ChatRequest } from "../../protocols/ir";
import { memoriesText } from "../../protocols/memory-prompt";
import { memoryContext } from "./memory-context";

const endUserId = z.string().trim().min(1).max(256);

/** The gateway's `memory` extension on the relay's chat routes: whose memories the answer may use. */
export const memoryField = z
	.object({ user_id: endUserId })
	.describe(
		"The gateway's extension: the end user whose memories (the /mem0 API's user_id) go into the prompt when the key's memory_mode is read or read_write.",
	);

/** Gemini's spelling too: its JSON mapping takes camelCase and snake_case names alike. */
export const geminiMemoryField = z.union([memoryField, z.object({ userId: endUserId }).transform(({ userId }) => ({ user_id: userId }))]);

/** Memories put before an answer: at most this many, the most relevant first. */
const RECALLED = 5;
/**
 * A memory scoring under this is not about the question. Scores blend relevance with recency (src/memory/search.ts),
 * and recency alone gives a fresh memory up to 0.2, so the bar is above that.
 */
const RECALL_THRESHOLD = 0.25;
/** The turn kept for extraction is cut to this many characters a message: facts come in sentences, not pastes. */
const TURN_CHARS = 8_000;

/** What a chat with memory found for its end user, and what it will do after the answer. */
export interface Recalled {
	endUser: string;
	/** The system text that lists the memories; undefined when none was relevant, or the search failed. */
	text: string | undefined;
	/** read_write: the turn is queued for extraction once answered. */
	keepsTurn: boolean;
}

/**
 * The end user a request names (`memory.user_id`, else the dialect's own user field), when its key has memory on;
 * undefined otherwise, at the cost of one field read: a request without memory pays nothing for it.
 */
export function endUserFor(c: Context<AppEnv>, named: string | null | undefined): string | undefined {
	if (c.get("caller").memoryMode === "off") return undefined;
	const parsed = endUserId.safeParse(named);
	return parsed.success ? parsed.data : undefined;
}

/**
 * Searches the end user's memories (the key's owner's: `alice` of another user is someone else) for the question,
 * as the key (the query's embedding billed to it), and says how many went into the prompt in `x-gateway-memories`.
 * Memory helps an answer but is not the answer: a search that fails (the embedding model's channels down, say) is
 * logged, the header says `unavailable`, and the chat goes on without memories.
 */
export async function recallMemories(c: Context<AppEnv>, endUser: string, question: string): Promise<Recalled> {
	const caller = c.get("caller");
	const keepsTurn = caller.memoryMode === "read_write";
	try {
		const hits = question.trim()
			? await searchMemories(memoryContext(c), memoryOwner(caller), {
					query: question,
					filter: entitiesFilter({ user_id: endUser }),
					topK: RECALLED,
					threshold: RECALL_THRESHOLD,
				})
			: [];
		c.header("x-gateway-memories", String(hits.length));
		return { endUser, text: memoriesText(hits.map((h) => h.row.memory)), keepsTurn };
	} catch (err) {
		console.error(JSON.stringify({ level: "warn", event: "memory_search_failed", request_id: c.get("requestId"), error: String(err) }));
		c.header("x-gateway-memories", "unavailable");
		return { endUser, text: undefined, keepsTurn };
	}
}

/**
 * The turn the extraction reads: the user's messages since the last assistant message, after that message for
 * context (what a "yes" answers). The model's new answer is not in it: the extraction keeps what the user states.
 */
function turnOf(chat: ChatRequest): MemoryMessage["messages"] {
	const lastAssistant = chat.messages.findLastIndex((m) => m.role === "assistant");
	const from = Math.max(0, lastAssistant);
	return chat.messages.slice(from).flatMap((m) => {
		if (m.role !== "user" && m.role !== "assistant") return [];
		const content = messageText(m).slice(0, TURN_CHARS);
		return content.trim() === "" ? [] : [{ role: m.role, content }];
	});
}

/**
 * After an answer, in read_write mode: the turn goes to the memory Queue for extraction (an event of the owner's,
 * pollable at /mem0/v1/event/{id}/, billed to the key like a /mem0 add), off the answer's path.
 */
export function keepTurn(c: Context<AppEnv>, recalled: Recalled, chat: ChatRequest): void {
	if (!recalled.keepsTurn) return;
	const caller = c.get("caller");
	const message: MemoryMessage = {
		event_id: crypto.randomUUID(),
		owner_id: memoryOwner(caller),
		key_id: caller.keyId,
		messages: turnOf(chat),
		entities: { user_id: recalled.endUser },
		metadata: null,
		traceparent: c.get("trace").traceparent,
	};
	if (message.messages.every((m) => m.role !== "user") || !fitsQueue(message)) return;
	c.executionCtx.waitUntil(
		queueExtraction(c.env, message, { source: "chat", request_id: c.get("requestId") }).catch((err: unknown) => {
			// The answer is out. An event recorded but not sent is sent again by the cron (src/memory/upkeep.ts); one
			// not even recorded is lost to memory, which the log says.
			console.error(JSON.stringify({ level: "error", event: "memory_turn_not_queued", request_id: c.get("requestId"), error: String(err) }));
		}),
	);
}
