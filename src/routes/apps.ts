import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { appOwner, newAppOwner } from "../auth/policy";
import { type AppFields, type AppRow, appCache, appKeys, createApp, deleteApp, deleteAppKey, findApp, listApps, updateApp } from "../conversations/apps";
import { db } from "../db/client";
import type { AppEnv } from "../env";
import { findStore } from "../knowledge/vector-stores";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { forgetCallers } from "../relay/callers";
import { cacheColumn } from "../types/cache-settings";
import { appCreate, appKeyCreate, appKeyCreated, appKeyList, appKeyParam, appList, appParam, appPatch, appView } from "./app-schemas";
import { insertKey } from "./shared/new-key";

function view(a: AppRow): z.infer<typeof appView> {
	return {
		id: a.id,
		name: a.name,
		description: a.description,
		model: a.model,
		system_prompt: a.systemPrompt,
		opening_statement: a.openingStatement,
		suggested_questions: a.suggestedQuestions,
		vector_store_ids: a.vectorStoreIds,
		retrieval_top_k: a.retrievalTopK,
		score_threshold: a.scoreThreshold,
		memory_mode: a.memoryMode,
		cache: appCache(a),
		owner_id: a.ownerId,
		created_at: new Date(a.createdAt).toISOString(),
		updated_at: new Date(a.updatedAt).toISOString(),
	};
}

/** The settings as the table names them; fields not given are absent. */
function fieldsOf(input: z.infer<typeof appPatch>): Partial<AppFields> {
	const fields: Partial<AppFields> = {
		name: input.name,
		model: input.model,
		description: input.description,
		systemPrompt: input.system_prompt,
		openingStatement: input.opening_statement,
		suggestedQuestions: input.suggested_questions,
		vectorStoreIds: input.vector_store_ids,
		retrievalTopK: input.retrieval_top_k,
		scoreThreshold: input.score_threshold,
		memoryMode: input.memory_mode,
		cache: input.cache === undefined ? undefined : cacheColumn(input.cache),
	};
	return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** An app retrieves only from its owner's stores: another's (or one that is gone) is "not found", as on /v1/vector_stores. */
async function checkStores(env: Env, ids: string[] | undefined, ownerId: number): Promise<void> {
	await Promise.all((ids ?? []).map((id) => findStore(env.DB, id, ownerId)));
}

/**
 * Chat apps (mounted at /api/apps), served to Dify's clients at /dify/v1 with the app's own keys. A user manages
 * their own apps; another user's app is 404; the operator manages every app.
 */
export const appRoutes = new Hono<AppEnv>()
	.get("/", async (c) => c.json({ data: (await listApps(db(c.env), appOwner(c.get("principal")))).map(view) }))
	.post("/", valid("json", appCreate), async (c) => {
		const { user_id, ...input } = c.req.valid("json");
		const ownerId = newAppOwner(c.get("principal"), user_id);
		await checkStores(c.env, input.vector_store_ids, ownerId);
		const fields = fieldsOf(input);
		const app = await createApp(db(c.env), ownerId, { ...fields, name: input.name, model: input.model });
		audit(c, { action: "app.create", objectType: "app", objectId: app.id, userId: app.ownerId, after: view(app) });
		return c.json(view(app), 201);
	})
	.get("/:id", valid("param", appParam), async (c) => c.json(view(await findApp(db(c.env), c.req.valid("param").id, appOwner(c.get("principal"))))))
	.patch("/:id", valid("param", appParam), valid("json", appPatch), async (c) => {
		const d = db(c.env);
		const app = await findApp(d, c.req.valid("param").id, appOwner(c.get("principal")));
		const input = c.req.valid("json");
		await checkStores(c.env, input.vector_store_ids, app.ownerId);
		const fields = fieldsOf(input);
		if (Object.keys(fields).length === 0) return c.json(view(app));
		const updated = await updateApp(d, app, fields);
		audit(c, { action: "app.update", objectType: "app", objectId: app.id, userId: app.ownerId, before: view(app), after: view(updated) });
		return c.json(view(updated));
	})
	.delete("/:id", valid("param", appParam), async (c) => {
		const d = db(c.env);
		const app = await findApp(d, c.req.valid("param").id, appOwner(c.get("principal")));
		await deleteApp(d, app);
		forgetCallers();
		audit(c, { action: "app.delete", objectType: "app", objectId: app.id, userId: app.ownerId, before: view(app) });
		return c.body(null, 204);
	})
	.get("/:id/keys", valid("param", appParam), async (c) => {
		const d = db(c.env);
		const rows = await appKeys(d, await findApp(d, c.req.valid("param").id, appOwner(c.get("principal"))));
		return c.json({
			data: rows.map((k) => ({
				id: k.id,
				name: k.name,
				key_prefix: k.keyPrefix,
				status: k.status,
				created_at: new Date(k.createdAt).toISOString(),
				last_used_at: iso(k.lastUsedAt),
			})),
		});
	})
	.post("/:id/keys", valid("param", appParam), valid("json", appKeyCreate), async (c) => {
		const d = db(c.env);
		const app = await findApp(d, c.req.valid("param").id, appOwner(c.get("principal")));
		// The key's user is the app's owner: it is limited and billed like any key of theirs.
		const { row, key } = await insertKey(d, { userId: app.ownerId, name: c.req.valid("json").name ?? `${app.name} key`, appId: app.id });
		audit(c, {
			action: "app_key.create",
			objectType: "app_key",
			objectId: row.id,
			userId: app.ownerId,
			after: { name: row.name, key_prefix: row.keyPrefix, app_id: app.id },
		});
		return c.json({ id: row.id, key, key_prefix: row.keyPrefix, name: row.name, app_id: app.id, created_at: new Date(row.createdAt).toISOString() }, 201);
	})
	.delete("/:id/keys/:key_id", valid("param", appKeyParam), async (c) => {
		const d = db(c.env);
		const { id, key_id } = c.req.valid("param");
		const app = await findApp(d, id, appOwner(c.get("principal")));
		await deleteAppKey(d, app, key_id);
		forgetCallers();
		audit(c, { action: "app_key.delete", objectType: "app_key", objectId: key_id, userId: app.ownerId, detail: { app_id: app.id } });
		return c.body(null, 204);
	});

export const appDocs: OperationDoc[] = [
	{ method: "get", path: "/api/apps", summary: "List chat apps, newest first", tag: "Apps", auth: "user", response: appList },
	{
		method: "post",
		path: "/api/apps",
		summary: "Create a chat app (served at /dify/v1)",
		tag: "Apps",
		auth: "user",
		body: appCreate,
		response: appView,
		errors: [201, 404],
	},
	{ method: "get", path: "/api/apps/{id}", summary: "Get a chat app", tag: "Apps", auth: "user", response: appView, errors: [404] },
	{
		method: "patch",
		path: "/api/apps/{id}",
		summary: "Change any of an app's settings",
		tag: "Apps",
		auth: "user",
		body: appPatch,
		response: appView,
		errors: [404],
	},
	{ method: "delete", path: "/api/apps/{id}", summary: "Delete an app and its keys", tag: "Apps", auth: "user", errors: [204, 404] },
	{
		method: "get",
		path: "/api/apps/{id}/keys",
		summary: "List an app's keys (never the keys themselves)",
		tag: "Apps",
		auth: "user",
		response: appKeyList,
		errors: [404],
	},
	{
		method: "post",
		path: "/api/apps/{id}/keys",
		summary: "Create an app key for /dify/v1; the key is shown only in this response",
		tag: "Apps",
		auth: "user",
		body: appKeyCreate,
		response: appKeyCreated,
		errors: [201, 404],
	},
	{ method: "delete", path: "/api/apps/{id}/keys/{key_id}", summary: "Revoke an app key", tag: "Apps", auth: "user", errors: [204, 404] },
];
