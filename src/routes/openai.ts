import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { openaiIngress } from "../protocols/openai";
import { chatCitations } from "../protocols/openai/citations";
import { withSystemMessage } from "../protocols/system-context";
import { relayChat } from "../relay/chat";
import { relayEmbeddings } from "../relay/embeddings";
import { chatCompletion, chatCompletionCreate, embeddingList, embeddingsRequest } from "./openai-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { runFileSearch } from "./shared/file-search";
import { relayed } from "./shared/relayed";

/** The OpenAI-compatible surface, mounted at /v1. */
export const openaiRoutes = new Hono<AppEnv>()
	.post("/chat/completions", usageMeter(), callerAuth(), bodyLimit(), valid("json", chatCompletionCreate), async (c) => {
		const body = c.req.valid("json");
		const stream = body.stream === true;
		const endUser = endUserFor(c, body.memory?.user_id ?? body.user);
		// Parts the gateway does not model stay in the body an OpenAI channel gets; the translations leave them out.
		if (!body.file_search && endUser === undefined) {
			// On a key with memory off the extension is only taken out of the body: nothing is searched or kept.
			const native = body.memory ? (({ memory: _memory, ...rest }) => rest)(body) : body;
			return relayed(c, (req) => relayChat(req, { ingress: openaiIngress, native, chat: openaiIngress.toChat(native), stream, cache: req.caller.cache }));
		}
		// The gateway's extensions: it searches files and memories, the model gets what they found (never the fields).
		const { file_search: options, memory: _memory, ...forModel } = body;
		const found = await gatherContext(c, openaiIngress.toChat(forModel), options && ((q) => runFileSearch(c, options, q)), endUser);
		const native = found.text === undefined ? forModel : { ...forModel, messages: withSystemMessage(forModel.messages, found.text) };
		const annotate = found.search && chatCitations(found.search);
		return relayedWithContext(c, found, (req) =>
			relayChat(req, { ingress: openaiIngress, native, chat: found.chat, stream, cache: req.caller.cache, ...(annotate && { annotate }) }),
		);
	})
	.post("/embeddings", usageMeter(), callerAuth(), bodyLimit(), valid("json", embeddingsRequest), (c) =>
		relayed(c, (req) => relayEmbeddings(req, c.req.valid("json"))),
	);

export const openaiDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/chat/completions",
		summary: "Create a chat completion (streams as SSE when `stream` is true)",
		tag: "Relay",
		auth: "key",
		body: chatCompletionCreate,
		response: chatCompletion,
		errors: [403, 413, 429, 502, 503, 504],
		streams: true,
	},
	{
		method: "post",
		path: "/v1/embeddings",
		summary: "Create embeddings",
		tag: "Relay",
		auth: "key",
		body: embeddingsRequest,
		response: embeddingList,
		errors: [403, 413, 429, 502, 503, 504],
	},
];
