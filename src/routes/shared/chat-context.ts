import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { excerptsText, type FileSearch, lastUserText } from "../../protocols/file-search";
import type { ChatRequest } from "../../protocols/ir";
import { joinContexts, withSystemContext } from "../../protocols/system-context";
import type { RelayRequest } from "../../relay/request";
import { keepTurn, type Recalled, recallMemories } from "./chat-memory";
import { relayed } from "./relayed";

/** What the gateway found for a chat before it goes upstream: a file search's excerpts, the end user's memories. */
export interface ChatContext {
	search: FileSearch | undefined;
	recalled: Recalled | undefined;
	/** The system text that hands the model what was found; undefined when nothing was. */
	text: string | undefined;
	/** The chat as the client sent it, for the turn memory keeps. */
	asked: ChatRequest;
	/** The chat with the text, for the channel. */
	chat: ChatRequest;
}

/** Runs the searches a chat asked for (a file search, its end user's memories), at once, for its last user message. */
export async function gatherContext(
	c: Context<AppEnv>,
	asked: ChatRequest,
	fileSearch: ((question: string) => Promise<FileSearch>) | undefined,
	endUser: string | undefined,
): Promise<ChatContext> {
	const question = lastUserText(asked);
	const [search, recalled] = await Promise.all([fileSearch?.(question), endUser === undefined ? undefined : recallMemories(c, endUser, question)]);
	const text = joinContexts([search && excerptsText(search), recalled?.text]);
	return { search, recalled, text, asked, chat: text === undefined ? asked : withSystemContext(asked, text) };
}

/** Relays the chat; once it is answered, its turn is kept for memory when the key keeps turns. */
export async function relayedWithContext(c: Context<AppEnv>, context: ChatContext, relay: (req: RelayRequest) => Promise<Response>): Promise<Response> {
	const res = await relayed(c, relay);
	if (context.recalled) keepTurn(c, context.recalled, context.asked);
	return res;
}
