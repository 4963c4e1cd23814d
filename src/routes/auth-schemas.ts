import { z } from "zod";

export const loginRequest = z.object({
	email: z.email().max(200),
	password: z.string().min(1).max(200),
});

export const sessionUser = z.object({ id: z.number(), name: z.string(), email: z.string().nullable(), role: z.enum(["admin", "user"]) });

export const loginResponse = z.object({
	/** Send as `Authorization: Bearer <token>` on /api; valid for 12 hours. */
	token: z.string(),
	user: sessionUser,
});

export const meResponse = z.object({
	role: z.enum(["admin", "user"]),
	/** null for the operator's ADMIN_TOKEN. */
	user: sessionUser.nullable(),
});
