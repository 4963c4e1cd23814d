import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { geminiIngress } from "../protocols/gemini";
import { geminiCitations } from "../protocols/gemini/file-search";
import { withInstructionText } from "../protocols/gemini/system-instruction";
import { relayChat } from "../relay/chat";
import { geminiModelList, geminiQuery, generateContentRequest, generateContentResponse } from "./gemini-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { runFileSearch } from "./shared/file-search";
import { keyModels } from "./shared/key-models";
import { relayed } from "./shared/relayed";

const METHODS = ["generateContent", "streamGenerateContent"];

/** A model in the Gemini API's shape: the gateway knows it by name only. */
const geminiModel = (id: string) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: METHODS });

/** `<model>:<method>`, the last path segment of a Gemini call; undefined for a method the gateway does not serve. */
function parseAction(action: string | undefined): { model: string; stream: boolean } | undefined {
	const match = /^(.+):(\w+)$/.exec(action ?? "");
	if (!match?.[1] || !match[2] || !METHODS.includes(match[2])) return undefined;
	return { model: match[1], stream: match[2] === "streamGenerateContent" };
}

/** An unknown method is a 404 before the body is read, as Google answers it. */
function knownAction(): MiddlewareHandler<AppEnv> {
	return async function knownAction(c, next) {
		if (!parseAction(c.req.param("action"))) {
			throw new GatewayError("not_found", `No method '${c.req.param("action") ?? ""}'; served: ${METHODS.map((m) => `<model>:${m}`).join(", ")}`);
		}
		await next();
	};
}

/** The Gemini API (generateContent), mounted at /v1beta; errors here are Gemini-format (see app.ts). */
export const geminiRoutes = new Hono<AppEnv>()
	.get("/models", callerAuth(), async (c) => {
		const { data } = await keyModels(c.env, c.get("caller"));
		return c.json({ models: data.map(({ id }) => geminiModel(id)) });
	})
	// models.get, as Google's SDKs call it; a model name may hold slashes.
	.get("/models/:model{.+}", callerAuth(), async (c) => {
		const id = c.req.param("model");
		const { data } = await keyModels(c.env, c.get("caller"));
		if (!data.some((m) => m.id === id)) throw new GatewayError("not_found", `Model 'models/${id}' is not found or this key may not use it`);
		return c.json(geminiModel(id));
	})
	.post(
		"/models/:action",
		usageMeter(),
		callerAuth(),
		knownAction(),
		valid("query", geminiQuery),
		bodyLimit(),
		valid("json", generateContentRequest),
		async (c) => {
			const action = parseAction(c.req.param("action"));
			if (!action) throw new GatewayError("not_found", "No such method");
			const { model, stream } = action;
			const { fileSearch, memory, ...body } = c.req.valid("json");
			const sse = c.req.valid("query").alt === "sse";
			const endUser = endUserFor(c, memory?.user_id);
			if (!fileSearch && endUser === undefined) {
				// Answers that are not streamed, and SSE streams, are what a Gemini channel sends: those may pass through.
				const ingress = geminiIngress(!stream || sse);
				const chat = { ...ingress.toChat({ ...body, model }), stream };
				return relayed(c, (req) => relayChat(req, { ingress, native: body, chat, stream, cache: req.caller.cache }));
			}
			// The gateway's extensions: it searches files and memories, the model gets what they found (never the fields).
			// An answer with citations is annotated as SSE, so a client that asked for the JSON array gets it from the
			// annotation's framing.
			const form = stream && !sse ? "json-array" : "sse";
			const cited = fileSearch !== undefined;
			const ingress = !cited
				? geminiIngress(!stream || sse)
				: form === "sse"
					? geminiIngress(true)
					: { ...geminiIngress(true), streamContentType: "application/json" };
			const asked = { ...ingress.toChat({ ...body, model }), stream };
			const found = await gatherContext(c, asked, fileSearch && ((q) => runFileSearch(c, fileSearch, q)), endUser);
			const native = found.text === undefined ? body : withInstructionText(body, found.text);
			const annotate = found.search && geminiCitations(found.search, form);
			return relayedWithContext(c, found, (req) =>
				relayChat(req, { ingress, native, chat: found.chat, stream, cache: req.caller.cache, ...(annotate && { annotate }) }),
			);
		},
	);

export const geminiDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/v1beta/models",
		summary: "List the models the calling key may use (Gemini API)",
		tag: "Relay",
		auth: "key",
		response: geminiModelList,
	},
	{
		method: "get",
		path: "/v1beta/models/{model}",
		summary: "One model the calling key may use (Gemini API's models.get); 404 otherwise",
		tag: "Relay",
		auth: "key",
		response: geminiModelList.shape.models.element,
		errors: [404],
	},
	{
		method: "post",
		path: "/v1beta/models/{action}",
		summary: "Gemini API: `{action}` is `<model>:generateContent`, or `<model>:streamGenerateContent` (SSE with `?alt=sse`, else a streamed JSON array)",
		tag: "Relay",
		auth: "key",
		query: geminiQuery,
		body: generateContentRequest,
		response: generateContentResponse,
		errors: [403, 404, 413, 429, 502, 503, 504],
		streams: true,
	},
];
