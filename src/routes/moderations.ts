import { Hono } from "hono";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { relayModerations } from "../relay/moderations";
import { moderationRequest, moderationResponse } from "./moderation-schemas";
import { relayed } from "./shared/relayed";

/** OpenAI's moderation endpoint, mounted at /v1. */
export const moderationRoutes = new Hono<AppEnv>().post("/moderations", usageMeter(), callerAuth(), bodyLimit(), valid("json", moderationRequest), (c) =>
	relayed(c, (req) => relayModerations(req, c.req.valid("json"))),
);

export const moderationDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/moderations",
		summary: "Classify text and images as potentially harmful (OpenAI's shape)",
		tag: "Relay",
		auth: "key",
		body: moderationRequest,
		response: moderationResponse,
		errors: [403, 413, 429, 502, 503, 504],
	},
];
