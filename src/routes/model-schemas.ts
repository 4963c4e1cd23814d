import { z } from "zod";
import { HASH_FIELDS, ROUTING_POLICIES } from "../types/routing";

const modelName = z.string().trim().min(1).max(200);

export const routeParam = z.object({ name: modelName });

export const routeSet = z
	.object({
		/**
		 * An alias's models, tried in this order when every channel of one is exhausted; omitted, empty or just the
		 * name itself: a plain model that only takes the policy. Chains do not nest: a member is a plain model.
		 */
		chain: z.array(modelName).max(10).default([]),
		policy: z.enum(ROUTING_POLICIES).default("weighted"),
		/** For consistent_hash only (default "user"): the end user the request names, else its key; or the key. */
		hash_on: z.enum(HASH_FIELDS).nullish(),
	})
	.refine((o) => new Set(o.chain).size === o.chain.length, { message: "A model appears twice in 'chain'", path: ["chain"] })
	.refine((o) => !o.hash_on || o.policy === "consistent_hash", { message: "'hash_on' applies only to the consistent_hash policy", path: ["hash_on"] });

export const routeView = z.object({
	name: z.string(),
	/** true when the name stands for the models of its chain. */
	alias: z.boolean(),
	chain: z.array(z.string()),
	policy: z.enum(ROUTING_POLICIES),
	hash_on: z.enum(HASH_FIELDS).nullable(),
	created_at: z.string(),
	updated_at: z.string(),
});

export const routeList = z.object({ data: z.array(routeView) });
