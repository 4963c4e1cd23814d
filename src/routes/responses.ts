import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { responsesIngressFor } from "../protocols/responses";
import { relayChat } from "../relay/chat";
import { responseObject, responsesRequest } from "./responses-schemas";
import { relayed } from "./shared/relayed";

/** OpenAI's Responses API, mounted at /v1; every channel is reached through the internal representation. */
export const responsesRoutes = new Hono<AppEnv>().post("/responses", usageMeter(), callerAuth(), bodyLimit(), valid("json", responsesRequest), (c) => {
	const body = c.req.valid("json");
	const ingress = responsesIngressFor(body);
	return relayed(c, (req) => relayChat(req, { ingress, native: body, chat: ingress.toChat(body), stream: body.stream === true }));
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
