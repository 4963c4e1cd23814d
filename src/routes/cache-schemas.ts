import { z } from "zod";
import { cacheSettings } from "../types/cache-settings";
import { positiveId } from "./shared/params";

/** `cache` on a key or an app as POST and PATCH take it: null or mode "off" turns the response cache off. */
export const cacheInput = cacheSettings
	.nullish()
	.describe(
		"The response cache for the requests of this key (or app): exact, the same request again; semantic, also a paraphrase of its last user message. Omitted fields take their defaults; null or mode off: no cache",
	);

/** `cache` as a key or an app shows it: the settings in force, every field filled in; null while it is off. */
export const cacheView = cacheSettings.nullable().describe("The response cache's settings in force; null: off");

const flag = z.enum(["true", "false"]).transform((v) => v === "true");

export const purgeQuery = z
	.object({
		key_id: positiveId.optional().describe("Only the entries this key stored (a user: one of their own keys; another's is 404)"),
		model: z.string().trim().min(1).max(200).optional().describe("Only the answers of this model (after aliasing)"),
		user_id: positiveId.optional().describe("The operator: only this user's entries; a user may name only themself (403 otherwise)"),
		all: flag
			.optional()
			.describe("true, and nothing else: every entry in reach (the operator: every user's; a user: all of their own). Not combined with the filters"),
	})
	.superRefine((q, ctx) => {
		const narrowed = q.key_id !== undefined || q.model !== undefined || q.user_id !== undefined;
		if (q.all === true && narrowed)
			ctx.addIssue({ code: "custom", path: ["all"], message: "all=true purges everything in reach: leave out key_id, model and user_id" });
		else if (q.all !== true && !narrowed) ctx.addIssue({ code: "custom", path: ["all"], message: "Name what to purge: key_id, model or user_id, or all=true" });
	});

export type PurgeQuery = z.infer<typeof purgeQuery>;

export const purgeResult = z.object({
	object: z.literal("cache.purge"),
	id: z.number().describe("The purge's record: entries it matches that were stored up to `at` are never served again"),
	user_id: z.number().nullable().describe("Whose entries; null: every user's (the operator's purge by model or of everything)"),
	key_id: z.number().nullable(),
	model: z.string().nullable(),
	at: z.string(),
	deleted: z.number().describe("Entries deleted from the cache's storage before this answer"),
	more: z
		.boolean()
		.describe(
			"Matching entries remain in storage: their deletion goes on after this answer, and any left then expire with their TTL. None is served again either way",
		),
});
