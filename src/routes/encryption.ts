import { Hono } from "hono";
import { z } from "zod";
import { encryptionStatus } from "../channels/rekey";
import { type AppEnv, config } from "../env";
import type { OperationDoc } from "../openapi/operation";

export const encryptionView = z.object({
	key_id: z.string(),
	previous_key_id: z.string().nullable(),
	secrets: z.number(),
	remaining: z.number(),
	unreadable: z.array(z.number()),
	previous_key_removable: z.boolean(),
});

/** Where a rotation of ENCRYPTION_KEY stands (README, "Rotating ENCRYPTION_KEY"): key ids only, never a key. */
export const encryptionRoutes = new Hono<AppEnv>().get("/encryption", async (c) => c.json(encryptionView.parse(await encryptionStatus(c.env, config(c.env)))));

export const encryptionDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/security/encryption",
		summary:
			"Where a rotation of ENCRYPTION_KEY stands: the ids of the current and previous keys, how many secrets the cron has still to re-encrypt, and whether ENCRYPTION_KEY_PREVIOUS can be deleted",
		tag: "Operations",
		auth: "admin",
		response: encryptionView,
	},
];
