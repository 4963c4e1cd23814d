import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import { type anthropicModel, type anthropicModelPage, modelListQuery, openaiModel } from "./model-info-schemas";
import { modelList } from "./openai-schemas";
import { keyModels } from "./shared/key-models";

type OpenAIModel = z.infer<typeof openaiModel>;

/** The gateway keeps no creation date for a model name: the epoch, as `created: 0` says in OpenAI's shape. */
const anthropicInfo = (m: OpenAIModel): z.infer<typeof anthropicModel> => ({
	type: "model",
	id: m.id,
	display_name: m.id,
	created_at: new Date(m.created * 1000).toISOString(),
	capabilities: null,
	deprecated_at: null,
	lifecycle: "active",
	line: null,
	max_input_tokens: null,
	max_tokens: null,
	retires_at: null,
});

/** Anthropic's page of the list: `limit` models after `after_id`, or the last `limit` before `before_id`. */
export function anthropicPage(models: readonly OpenAIModel[], query: z.output<typeof modelListQuery>): z.infer<typeof anthropicModelPage> {
	const ids = models.map((m) => m.id);
	let from = 0;
	let to = models.length;
	if (query.before_id !== undefined) {
		to = Math.max(0, ids.indexOf(query.before_id));
		from = Math.max(0, to - query.limit);
	} else {
		if (query.after_id !== undefined) from = ids.includes(query.after_id) ? ids.indexOf(query.after_id) + 1 : models.length;
		to = Math.min(models.length, from + query.limit);
	}
	const data = models.slice(from, to).map(anthropicInfo);
	const hasMore = query.before_id !== undefined ? from > 0 : to < models.length;
	return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

const speaksAnthropic = (c: Context<AppEnv>) => c.get("dialect") === "anthropic";

/**
 * The models a key may call (src/routes/shared/key-models.ts), mounted at /v1: in OpenAI's shape, or Anthropic's for
 * a request that sends `anthropic-version` (app.ts marks those as Anthropic's, errors included).
 */
export const modelInfoRoutes = new Hono<AppEnv>()
	.get("/models", callerAuth(), valid("query", modelListQuery), async (c) => {
		const list = await keyModels(c.env, c.get("caller"));
		return c.json(speaksAnthropic(c) ? anthropicPage(list.data, c.req.valid("query")) : list);
	})
	// Model names may hold slashes (`@cf/meta/…`, `openai/gpt-4o`), which clients send encoded or not.
	.get("/models/:model{.+}", callerAuth(), async (c) => {
		const id = c.req.param("model");
		const model = (await keyModels(c.env, c.get("caller"))).data.find((m) => m.id === id);
		if (!model) throw new GatewayError("not_found", `The model '${id}' does not exist or this key may not use it`, { param: "model" });
		return c.json(speaksAnthropic(c) ? anthropicInfo(model) : model);
	});

export const modelInfoDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/v1/models",
		summary: "List the models the calling key may use (OpenAI's shape; Anthropic's, paged by `limit`/`after_id`/`before_id`, when `anthropic-version` is sent)",
		tag: "Relay",
		auth: "key",
		query: modelListQuery,
		response: modelList,
	},
	{
		method: "get",
		path: "/v1/models/{model}",
		summary: "One model the calling key may use (OpenAI's Model; Anthropic's ModelInfo when `anthropic-version` is sent); 404 otherwise",
		tag: "Relay",
		auth: "key",
		response: openaiModel,
		errors: [404],
	},
];
