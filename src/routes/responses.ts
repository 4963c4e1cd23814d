import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { responsesIngressFor } from "../protocols/responses";
import { relayChat } from "../relay/chat";
import { responseObject, responsesCreate } from "./responses-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { runFileSearch, splitFileSearch } from "./shared/file-search";
import { relayed } from "./shared/relayed";

/** OpenAI's Responses API, mounted at /v1; every channel is reached through the internal representation. */
export const responsesRoutes = new Hono<AppEnv>().post("/responses", usageMeter(), callerAuth(), bodyLimit(), valid("json", responsesCreate), async (c) => {
	const { memory, ...body } = c.req.valid("json");
	const stream = body.stream === true;
	const endUser = endUserFor(c, memory?.user_id ?? body.user);
	const fileSearch = splitFileSearch(body.tools);
	if (!fileSearch && endUser === undefined) {
		const ingress = responsesIngressFor(body);
		return relayed(c, (req) => relayChat(req, { ingress, native: body, chat: ingress.toChat(body), stream }));
	}
	// The gateway runs the file search itself, then asks the model with the excerpts; the model never sees the tool.
	const forModel = fileSearch ? { ...body, tools: fileSearch.others } : body;
	const asked = responsesIngressFor(forModel).toChat(forModel);
	const found = await gatherContext(c, asked, fileSearch && ((q) => runFileSearch(c, fileSearch.tool, q, body.include)), endUser);
	const ingress = responsesIngressFor(body, found.search);
	return relayedWithContext(c, found, (req) => relayChat(req, { ingress, native: forModel, chat: found.chat, stream }));
});

export const responsesDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/responses",
		summary: "Create a model response, OpenAI Responses style (streams as SSE when `stream` is true); stateless, so no `previous_response_id`",
		tag: "Relay",
		auth: "key",
		body: responsesCreate,
		response: responseObject,
		errors: [403, 413, 429, 502, 503, 504],
		streams: true,
	},
];
