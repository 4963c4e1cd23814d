import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { pickLimits } from "../../durable-objects/governor-types";
import { audit } from "../audit/record";
import { REDACTED } from "../audit/redact";
import { hashPassword } from "../auth/password";
import { endSessionsOf } from "../auth/sessions";
import { toUsd } from "../billing/money";
import { db } from "../db/client";
import { type UserRow, users } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { isUniqueViolation } from "../lib/sql-errors";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { forgetCallers } from "../relay/callers";
import { governorStanding, limitColumns, limitsOf } from "./limit-schemas";
import { findUser } from "./shared/find";
import { limitsChanged, standingOf } from "./shared/limits";
import { idParam } from "./shared/params";
import { userCreate, userList, userPatch, userView } from "./user-schemas";

function view(row: UserRow): z.infer<typeof userView> {
	return {
		id: row.id,
		name: row.name,
		role: row.role,
		group: row.group,
		status: row.status,
		balance_usd: toUsd(row.balanceNusd),
		email: row.email,
		has_password: row.passwordHash !== null,
		memory_model: row.memoryModel,
		scopes: row.scopes ?? null,
		created_at: new Date(row.createdAt).toISOString(),
		...limitsOf(row),
	};
}

/** The sign-in columns to write for the email and password given; omitted ones stay as they are. */
async function signIn(input: { email?: string | null | undefined; password?: string | undefined }): Promise<Partial<Pick<UserRow, "email" | "passwordHash">>> {
	return {
		...(input.email === undefined ? {} : { email: input.email === null ? null : input.email.toLowerCase() }),
		...(input.password === undefined ? {} : { passwordHash: await hashPassword(input.password) }),
	};
}

// `/me` is registered before `/:id` so that it is not read as an id; src/auth/policy.ts gives every other route to the operator.
export const userRoutes = new Hono<AppEnv>()
	.get("/me", async (c) => {
		const { userId } = c.get("principal");
		if (userId === null) {
			throw new GatewayError(
				"invalid_request",
				"The operator's token is not a user: call /api/users/me with a gateway key or a session, or use /api/users/{id}",
			);
		}
		return c.json(view(await findUser(c.env, userId)));
	})
	.get("/", async (c) => {
		const rows = await db(c.env).select().from(users).orderBy(users.id);
		return c.json({ data: rows.map(view) });
	})
	.post("/", valid("json", userCreate), async (c) => {
		const input = c.req.valid("json");
		try {
			const [row] = await db(c.env)
				.insert(users)
				.values({
					name: input.name,
					...(input.group === undefined ? {} : { group: input.group }),
					...(input.memory_model === undefined ? {} : { memoryModel: input.memory_model }),
					...(input.scopes === undefined ? {} : { scopes: input.scopes }),
					...(await signIn(input)),
					...limitColumns(input),
				})
				.returning();
			if (!row) throw new Error("insert returned no row");
			audit(c, { action: "user.create", objectType: "user", objectId: row.id, userId: row.id, after: view(row) });
			return c.json(view(row), 201);
		} catch (err) {
			if (isUniqueViolation(err)) throw new GatewayError("conflict", `A user named '${input.name}' or with that email already exists`, { param: "name" });
			throw err;
		}
	})
	.get("/:id", valid("param", idParam), async (c) => c.json(view(await findUser(c.env, c.req.valid("param").id))))
	.patch("/:id", valid("param", idParam), valid("json", userPatch), async (c) => {
		const { id } = c.req.valid("param");
		const input = c.req.valid("json");
		const current = await findUser(c.env, id);
		// A purged user stays purged: their data, sign-in and keys are gone for good.
		if (current.status === "deleted") throw new GatewayError("conflict", `User ${id} was deleted`);
		const changes = {
			...Object.fromEntries(Object.entries({ group: input.group, status: input.status }).filter(([, v]) => v !== undefined)),
			...(input.memory_model === undefined ? {} : { memoryModel: input.memory_model }),
			...(input.scopes === undefined ? {} : { scopes: input.scopes }),
			...(await signIn(input)),
		};
		const limits = limitColumns(input);
		if (Object.keys(changes).length === 0 && Object.keys(limits).length === 0) return c.json(view(current));
		const [row] = await db(c.env)
			.update(users)
			.set({ ...changes, ...limits })
			.where(eq(users.id, id))
			.returning()
			.catch((err: unknown) => {
				if (isUniqueViolation(err)) throw new GatewayError("conflict", "Another user has that email", { param: "email" });
				throw err;
			});
		if (!row) throw new GatewayError("not_found", `User ${id} does not exist`);
		// A new password shows as a changed `password`, redacted: the view has no hash to compare.
		const password = input.password === undefined ? {} : { password: REDACTED };
		audit(c, { action: "user.update", objectType: "user", objectId: id, userId: id, before: view(current), after: { ...view(row), ...password } });
		// A new password or a disabled user ends every session signed in with the old state.
		if (input.password !== undefined || input.status === "disabled") await endSessionsOf(c.env, id);
		// The relay caches each key with its owner's group, status and limits.
		if (Object.keys(limits).length > 0) await limitsChanged(c.env, { kind: "user", id: String(id) }, pickLimits(row));
		else forgetCallers();
		return c.json(view(row));
	})
	.get("/:id/limits", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		return c.json(await standingOf(c.env, { kind: "user", id: String(id) }, pickLimits(await findUser(c.env, id))));
	});

export const userDocs: OperationDoc[] = [
	{ method: "get", path: "/api/users", summary: "List users with their balances", tag: "Users", auth: "admin", response: userList },
	{
		method: "post",
		path: "/api/users",
		summary: "Create a user (then give them keys with POST /api/tokens)",
		tag: "Users",
		auth: "admin",
		body: userCreate,
		response: userView,
		errors: [201, 409],
	},
	{
		method: "get",
		path: "/api/users/me",
		summary: "The user who owns the calling gateway key or session",
		tag: "Users",
		auth: "user",
		response: userView,
	},
	{ method: "get", path: "/api/users/{id}", summary: "Get a user", tag: "Users", auth: "admin", response: userView, errors: [404] },
	{
		method: "patch",
		path: "/api/users/{id}",
		summary: "Move a user to another group, set their limits, email, password and memory model, disable or re-enable them",
		tag: "Users",
		auth: "admin",
		body: userPatch,
		response: userView,
		errors: [404],
	},
	{
		method: "get",
		path: "/api/users/{id}/limits",
		summary: "A user's live rate-limit windows, requests in flight and spend against their budgets (all their keys together)",
		tag: "Users",
		auth: "admin",
		response: governorStanding,
		errors: [404],
	},
];
