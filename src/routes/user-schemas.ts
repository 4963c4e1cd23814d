import { z } from "zod";
import { scopes, scopesView } from "./key-access-schemas";
import { limitFields, limitsView } from "./limit-schemas";

const group = z.string().trim().min(1).max(100);
/** For dashboard sign-in; stored lower-cased. null removes it. */
const email = z.email().max(200).nullish();
/** For dashboard sign-in; stored only as a PBKDF2 hash. */
const password = z.string().min(8, "A password needs at least 8 characters").max(200).optional();
/** The chat model that extracts and consolidates this user's memories instead of MEMORY_MODEL; null: MEMORY_MODEL. */
const memoryModel = z.string().trim().min(1).max(200).nullish();

export const userCreate = z.object({
	name: z.string().trim().min(1).max(100),
	/** Decides which channels the user's keys reach and the price multiplier; "default" when omitted. */
	group: group.optional(),
	email,
	password,
	memory_model: memoryModel,
	/** The API surfaces the user's keys may be given (and call); null or omitted: all. */
	scopes,
	/** Limits on all the user's keys together; each null or omitted for none. */
	...limitFields,
});

export const userPatch = z.object({
	group: group.optional(),
	/** A disabled user's keys are refused, on the relay and on /api. */
	status: z.enum(["active", "disabled"]).optional(),
	email,
	password,
	memory_model: memoryModel,
	/** Narrowing them narrows every key of the user's at once (a key's scopes are its own within its user's). */
	scopes,
	...limitFields,
});

export const userView = z.object({
	id: z.number(),
	name: z.string(),
	role: z.enum(["admin", "user"]),
	group: z.string(),
	status: z.enum(["active", "disabled", "deleted"]),
	balance_usd: z.number(),
	email: z.string().nullable(),
	/** Whether the user can sign in to the dashboard (has a password); the hash never leaves the database. */
	has_password: z.boolean(),
	/** The model that extracts the user's memories when not MEMORY_MODEL (null). */
	memory_model: z.string().nullable(),
	/** null: all. */
	scopes: scopesView,
	created_at: z.string(),
	...limitsView.shape,
});

export const userList = z.object({ data: z.array(userView) });
