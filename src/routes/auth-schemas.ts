import { z } from "zod";

export const loginRequest = z.object({
	email: z.email().max(200),
	password: z.string().min(1).max(200),
});

export const sessionUser = z.object({ id: z.number(), name: z.string(), email: z.string().nullable(), role: z.enum(["admin", "user"]) });

export const loginResponse = z.object({
	/** Send as `Authorization: Bearer <token>` on /api; valid for 12 hours, or until the user signs out, their password changes or they are disabled. */
	token: z.string(),
	expires_at: z.string(),
	user: sessionUser,
});

export const operatorSessionResponse = z.object({
	/** Send as `Authorization: Bearer <token>` on /api instead of ADMIN_TOKEN; valid for 4 hours, until signed out, or until ADMIN_TOKEN changes. */
	token: z.string(),
	expires_at: z.string(),
	role: z.literal("admin"),
	user: z.null(),
});

export const meResponse = z.object({
	role: z.enum(["admin", "user"]),
	/** null for the operator's ADMIN_TOKEN. */
	user: sessionUser.nullable(),
});
