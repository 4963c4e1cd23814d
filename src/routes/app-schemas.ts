import { z } from "zod";
import { cacheInput, cacheView } from "./cache-schemas";

const memoryMode = z.enum(["off", "read", "read_write"]);
const storeIds = z.array(z.string().min(1).max(100)).max(16);

/** A chat app's settings, as POST /api/apps takes them and PATCH changes any subset of them. */
const appFields = {
	name: z.string().trim().min(1).max(100),
	/** A model or alias, resolved per request like any key's. */
	model: z.string().trim().min(1).max(200),
	description: z.string().max(2_000),
	/** The system prompt; `{{name}}` is filled from a chat message's `inputs`. */
	system_prompt: z.string().max(20_000),
	opening_statement: z.string().max(2_000),
	suggested_questions: z.array(z.string().trim().min(1).max(500)).max(10),
	/** The owner's vector stores the app retrieves from; none: no retrieval. */
	vector_store_ids: storeIds,
	retrieval_top_k: z.number().int().min(1).max(20),
	/** Excerpts scoring under this are left out; null: none is. */
	score_threshold: z.number().min(0).max(1).nullable(),
	/** The end user's (Dify's `user`) memories: off, put in the prompt (read), and kept from each turn (read_write). */
	memory_mode: memoryMode,
	/** The response cache for the app's answers (its keys' own settings do not apply at /dify/v1). */
	cache: cacheInput,
};

export const appCreate = z.object({
	name: appFields.name,
	model: appFields.model,
	description: appFields.description.default(""),
	system_prompt: appFields.system_prompt.default(""),
	opening_statement: appFields.opening_statement.default(""),
	suggested_questions: appFields.suggested_questions.default([]),
	vector_store_ids: appFields.vector_store_ids.default([]),
	retrieval_top_k: appFields.retrieval_top_k.default(4),
	score_threshold: appFields.score_threshold.default(null),
	memory_mode: appFields.memory_mode.default("off"),
	cache: appFields.cache,
	/** The operator only: whose app it is; the admin user when omitted. */
	user_id: z.number().int().positive().optional(),
});

export const appPatch = z.object(appFields).partial();

export const appView = z.object({
	id: z.string(),
	name: z.string(),
	description: z.string(),
	model: z.string(),
	system_prompt: z.string(),
	opening_statement: z.string(),
	suggested_questions: z.array(z.string()),
	vector_store_ids: z.array(z.string()),
	retrieval_top_k: z.number(),
	score_threshold: z.number().nullable(),
	memory_mode: memoryMode,
	cache: cacheView,
	owner_id: z.number(),
	created_at: z.string(),
	updated_at: z.string(),
});

export const appList = z.object({ data: z.array(appView) });

export const appParam = z.object({ id: z.string().min(1).max(100) });
export const appKeyParam = appParam.extend({ key_id: z.coerce.number().int().positive() });

export const appKeyCreate = z.object({ name: z.string().trim().min(1).max(100).optional() });

export const appKeyView = z.object({
	id: z.number(),
	name: z.string(),
	key_prefix: z.string(),
	status: z.enum(["active", "disabled"]),
	created_at: z.string(),
	last_used_at: z.string().nullable(),
});

export const appKeyCreated = z.object({
	id: z.number(),
	key: z.string().describe("The full key (sk-...), for /dify/v1 only. Shown only in this response."),
	key_prefix: z.string(),
	name: z.string(),
	app_id: z.string(),
	created_at: z.string(),
});

export const appKeyList = z.object({ data: z.array(appKeyView) });
