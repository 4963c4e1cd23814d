import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { lastUserText, withExcerpts } from "../protocols/file-search";
import { responsesIngressFor } from "../protocols/responses";
import { relayChat } from "../relay/chat";
import { responseObject, responsesRequest } from "./responses-schemas";
import { runFileSearch, splitFileSearch } from "./shared/file-search";
import { relayed } from "./shared/relayed";

/** OpenAI's Responses API, mounted at /v1; every channel is reached through the internal representation. */
export const responsesRoutes = new Hono<AppEnv>().post("/responses", usageMeter(), callerAuth(), bodyLimit(), valid("json", responsesRequest), async (c) => {
	const body = c.req.valid("json");
	const fileSearch = splitFileSearch(body.tools);
	if (!fileSearch) {
		const ingress = responsesIngressFor(body);
		return relayed(c, (req) => relayChat(req, { ingress, native: body, chat: ingress.toChat(body), stream: body.stream === true }));
	}
	// The gateway runs the file search itself, then asks the model with the excerpts; the model never sees the tool.
	const forModel = { ...body, tools: fileSearch.others };
	const chat = responsesIngressFor(forModel).toChat(forModel);
	const search = await runFileSearch(c, fileSearch.tool, lastUserText(chat), body.include);
	const ingress = responsesIngressFor(body, search);
	return relayed(c, (req) => relayChat(req, { ingress, native: forModel, chat: withExcerpts(chat, search), stream: body.stream === true }));
});

export const responsesDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/responses",
		summary: "Create a model response, OpenAI Responses style (streams as SSE when `stream` is true); stateless, so no `previous_response_id`",
		tag: "Relay",
		auth: "key",
		body: responsesRequest,
		response: responseObject,
		errors: [403, 413, 429, 502, 503, 504],
		streams: true,
	},
];
