import { Hono } from "hono";
import { conversationOwner } from "../auth/policy";
import { findResponse } from "../conversations/response-writes";
import { deleteResponse, responseNotFound } from "../conversations/responses";
import type { AppEnv } from "../env";
import { listObject } from "../knowledge/pages";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { deletedResponse, inputItemList, inputItemPage, responseIdParam, responseObject, responsesCreate } from "./responses-schemas";
import { createResponse } from "./shared/responses-create";

/** OpenAI's Responses API, mounted at /v1; every channel is reached through the internal representation. */
export const responsesRoutes = new Hono<AppEnv>()
	.post("/responses", usageMeter(), callerAuth(), bodyLimit(), valid("json", responsesCreate), (c) => createResponse(c, c.req.valid("json")))
	.get("/responses/:response_id", callerAuth(), valid("param", responseIdParam), async (c) => {
		const { response_id } = c.req.valid("param");
		const stored = await findResponse(c.env, response_id, conversationOwner(c.get("caller")), Date.now());
		if (!stored) throw responseNotFound(response_id);
		return c.json(stored.response);
	})
	.delete("/responses/:response_id", callerAuth(), valid("param", responseIdParam), async (c) => {
		const { response_id } = c.req.valid("param");
		if (!(await deleteResponse(c.env.DB, response_id, conversationOwner(c.get("caller"))))) throw responseNotFound(response_id);
		return c.json({ id: response_id, object: "response" as const, deleted: true });
	})
	.get("/responses/:response_id/input_items", callerAuth(), valid("param", responseIdParam), valid("query", inputItemList), async (c) => {
		const { response_id } = c.req.valid("param");
		const stored = await findResponse(c.env, response_id, conversationOwner(c.get("caller")), Date.now());
		if (!stored) throw responseNotFound(response_id);
		const q = c.req.valid("query");
		const ordered = q.order === "asc" ? stored.input : [...stored.input].reverse();
		const from = q.after === undefined ? 0 : ordered.findIndex((i) => i.id === q.after) + 1;
		const page = ordered.slice(from, from + q.limit).flatMap((i) => (typeof i.id === "string" ? [{ ...i, id: i.id }] : []));
		return c.json(listObject(page, from + q.limit < ordered.length));
	});

export const responsesDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/responses",
		summary:
			"Create a model response, OpenAI Responses style (streams as SSE when `stream` is true); kept unless `store` is false, continuing `previous_response_id` or `conversation`",
		tag: "Relay",
		auth: "key",
		body: responsesCreate,
		response: responseObject,
		errors: [403, 404, 413, 429, 502, 503, 504],
		streams: true,
	},
	{
		method: "get",
		path: "/v1/responses/{response_id}",
		summary: "A stored response, as it was returned",
		tag: "Relay",
		auth: "key",
		response: responseObject,
		errors: [404],
	},
	{
		method: "delete",
		path: "/v1/responses/{response_id}",
		summary: "Delete a stored response",
		tag: "Relay",
		auth: "key",
		response: deletedResponse,
		errors: [404],
	},
	{
		method: "get",
		path: "/v1/responses/{response_id}/input_items",
		summary: "The input items of a stored response (its own, not the history it continued), newest first unless `order` is asc",
		tag: "Relay",
		auth: "key",
		query: inputItemList,
		response: inputItemPage,
		errors: [404],
	},
];
