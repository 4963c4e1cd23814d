import { z } from "zod";
import { purgeCounts } from "../privacy/purge";

/** A purge is asked for by name, so that a DELETE sent by mistake (or by a script meant for something else) does nothing. */
export const purgeQuery = z.object({
	purge: z.literal("true", { error: "Deleting a user purges their data for good: send ?purge=true to confirm" }),
});

/** The phrase a person types to delete their own data, as the dashboard asks for it. */
export const SELF_PURGE_PHRASE = "delete my data";

export const selfPurgeBody = z.object({
	confirm: z.literal(SELF_PURGE_PHRASE, { error: `Send confirm: "${SELF_PURGE_PHRASE}"` }),
	/** Required when the user signs in with a password: a session left open on a shared screen must not be enough. */
	password: z.string().max(200).optional(),
});

export const purgeResult = z.object({
	id: z.number(),
	status: z.literal("deleted"),
	/** "in_progress": the rest is removed by the cron within minutes; ask again (the same DELETE) to see or hurry it. */
	purge: z.enum(["completed", "in_progress"]),
	/** What this purge found to remove, counted when it began; null when the user was already purged or purging. */
	removed: purgeCounts.nullable(),
	/** What stays, for the accounts: none of it holds content. */
	kept: z.array(z.string()),
});
