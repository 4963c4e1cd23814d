import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { lastUserText, withExcerpts, withExcerptsMessage } from "../protocols/file-search";
import { openaiIngress } from "../protocols/openai";
import { chatCitations } from "../protocols/openai/citations";
import { relayChat } from "../relay/chat";
import { relayEmbeddings } from "../relay/embeddings";
import { chatCompletion, chatCompletionCreate, embeddingList, embeddingsRequest, modelList } from "./openai-schemas";
import { runFileSearch } from "./shared/file-search";
import { keyModels } from "./shared/key-models";
import { relayed } from "./shared/relayed";

/** The OpenAI-compatible surface, mounted at /v1. */
export const openaiRoutes = new Hono<AppEnv>()
	.get("/models", callerAuth(), async (c) => c.json(await keyModels(c.env, c.get("caller"))))
	.post("/chat/completions", usageMeter(), callerAuth(), bodyLimit(), valid("json", chatCompletionCreate), async (c) => {
		const body = c.req.valid("json");
		// Parts the gateway does not model stay in the body an OpenAI channel gets; the translations leave them out.
		const chat = openaiIngress.toChat(body);
		const stream = body.stream === true;
		if (!body.file_search) return relayed(c, (req) => relayChat(req, { ingress: openaiIngress, native: body, chat, stream }));
		// The gateway's extension: it searches, the model gets the excerpts (never the field), the answer the citations.
		const { file_search: options, ...forModel } = body;
		const search = await runFileSearch(c, options, lastUserText(chat));
		const native = { ...forModel, messages: withExcerptsMessage(forModel.messages, search) };
		const withSearch = withExcerpts(chat, search);
		return relayed(c, (req) => relayChat(req, { ingress: openaiIngress, native, chat: withSearch, stream, annotate: chatCitations(search) }));
	})
	.post("/embeddings", usageMeter(), callerAuth(), bodyLimit(), valid("json", embeddingsRequest), (c) =>
		relayed(c, (req) => relayEmbeddings(req, c.req.valid("json"))),
	);

export const openaiDocs: OperationDoc[] = [
	{ method: "get", path: "/v1/models", summary: "List the models the calling key may use", tag: "Relay", auth: "key", response: modelList },
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
