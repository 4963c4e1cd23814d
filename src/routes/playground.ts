import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { openaiIngress } from "../protocols/openai";
import { relayChat } from "../relay/chat";
import { chatCompletion, chatCompletionRequest, modelList } from "./openai-schemas";
import { responseObject, responsesCreate } from "./responses-schemas";
import { keyById } from "./shared/key-by-id";
import { keyModels } from "./shared/key-models";
import { relayed } from "./shared/relayed";
import { createResponse } from "./shared/responses-create";

const playgroundQuery = z.object({ token_id: z.coerce.number().int().positive() });

/**
 * The key named by `token_id`, as the caller of the relay. Only a person (a session or the operator) reaches here:
 * src/auth/policy.ts keeps gateway keys out, so that one key cannot act as another.
 */
const actAsKey: MiddlewareHandler<AppEnv> = async function actAsKey(c, next) {
	const caller = await keyById(c.env, Number(c.req.query("token_id")), c.get("principal"), "token_id");
	c.set("caller", caller);
	c.get("meter")?.setCaller(caller);
	await next();
};

/**
 * The dashboard's playground: a chat completion sent as one of the signed-in user's keys (any key for the
 * operator), without the key's secret, which the gateway does not keep. It is relayed, limited, metered and
 * billed exactly as the same request to /v1/chat/completions with that key.
 */
export const playgroundRoutes = new Hono<AppEnv>()
	.get("/models", valid("query", playgroundQuery), async (c) => {
		const caller = await keyById(c.env, c.req.valid("query").token_id, c.get("principal"), "token_id");
		return c.json(await keyModels(c.env, caller));
	})
	.post("/chat/completions", usageMeter(), valid("query", playgroundQuery), actAsKey, valid("json", chatCompletionRequest), (c) => {
		const body = c.req.valid("json");
		const chat = openaiIngress.toChat(body);
		return relayed(c, (req) => relayChat(req, { ingress: openaiIngress, native: body, chat, stream: body.stream === true, cache: req.caller.cache }));
	})
	// The Chat page's messages, as /v1/responses answers them (stored, continuing a `conversation`).
	.post("/responses", usageMeter(), valid("query", playgroundQuery), actAsKey, valid("json", responsesCreate), (c) => createResponse(c, c.req.valid("json")));

export const playgroundDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/playground/models",
		summary: "The models one of your keys may use, as GET /v1/models lists them for that key, for the playground's model picker",
		tag: "Relay",
		auth: "user",
		query: playgroundQuery,
		response: modelList,
		errors: [403, 404],
	},
	{
		method: "post",
		path: "/api/playground/chat/completions",
		summary: "A chat completion as one of your keys, for the dashboard's playground (streams as SSE when `stream` is true)",
		tag: "Relay",
		auth: "user",
		query: playgroundQuery,
		body: chatCompletionRequest,
		response: chatCompletion,
		errors: [402, 403, 404, 429, 502, 503, 504],
		streams: true,
	},
	{
		method: "post",
		path: "/api/playground/responses",
		summary: "A model response as one of your keys, as /v1/responses answers it, for the dashboard's Chat page (streams as SSE when `stream` is true)",
		tag: "Relay",
		auth: "user",
		query: playgroundQuery,
		body: responsesCreate,
		response: responseObject,
		errors: [402, 403, 404, 429, 502, 503, 504],
		streams: true,
	},
];
