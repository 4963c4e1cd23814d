import { z } from "zod";
import { limitFields, limitsView } from "./limit-schemas";

const group = z.string().trim().min(1).max(100);

export const userCreate = z.object({
	name: z.string().trim().min(1).max(100),
	/** Decides which channels the user's keys reach and the price multiplier; "default" when omitted. */
	group: group.optional(),
	/** Limits on all the user's keys together; each null or omitted for none. */
	...limitFields,
});

export const userPatch = z.object({
	group: group.optional(),
	/** A disabled user's keys are refused, on the relay and on /api. */
	status: z.enum(["active", "disabled"]).optional(),
	...limitFields,
});

export const userView = z.object({
	id: z.number(),
	name: z.string(),
	role: z.enum(["admin", "user"]),
	group: z.string(),
	status: z.enum(["active", "disabled"]),
	balance_usd: z.number(),
	created_at: z.string(),
	...limitsView.shape,
});

export const userList = z.object({ data: z.array(userView) });
