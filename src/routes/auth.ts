import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { Limits } from "../../durable-objects/governor-types";
import { NO_LIMITS } from "../../durable-objects/governor-types";
import { audit } from "../audit/record";
import { hashPassword, verifyPassword } from "../auth/password";
import { endSession, startSession } from "../auth/sessions";
import { db } from "../db/client";
import { type UserRow, users } from "../db/schema";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { clearSessionCookie, setSessionCookie } from "../middleware/session-cookie";
import type { OperationDoc } from "../openapi/operation";
import { loginRequest, loginResponse, meResponse, operatorSessionResponse } from "./auth-schemas";
import { countAttempt } from "./shared/attempts";

// Sign-in attempts per minute, per email and per client address: enough for people, too few for guessing.
const PER_EMAIL: Limits = { ...NO_LIMITS, rpm: 5 };
const PER_ADDRESS: Limits = { ...NO_LIMITS, rpm: 30 };

// Verified when the email is unknown, so that an unknown email takes as long as a wrong password.
let decoy: Promise<string> | undefined;

const userView = (u: UserRow) => ({ id: u.id, name: u.name, email: u.email, role: u.role });

/** Dashboard sign-in. Mounted before /api's authentication: the login itself needs none. */
export const loginRoutes = new Hono<AppEnv>().post("/login", valid("json", loginRequest), async (c) => {
	const email = c.req.valid("json").email.toLowerCase();
	const { password } = c.req.valid("json");
	const address = c.req.header("cf-connecting-ip") ?? "local";
	await countAttempt(
		c.env,
		c.get("requestId"),
		[
			[{ kind: "login", id: `email:${email}` }, PER_EMAIL],
			[{ kind: "login", id: `address:${address}` }, PER_ADDRESS],
		],
		"sign-in attempts",
	);
	const [user] = await db(c.env).select().from(users).where(eq(users.email, email)).limit(1);
	decoy ??= hashPassword("not a password");
	const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy));
	// The attempt is the user's when the email is theirs, whatever the outcome: a user sees who tried their account.
	const attempt = {
		action: "auth.login",
		objectType: "user",
		objectId: user?.id,
		actor: { actor_type: "user", actor_id: user?.id ?? null, user_id: user?.id ?? null },
	} as const;
	if (!user?.passwordHash || !ok) {
		audit(c, { ...attempt, result: "failure", detail: { reason: user ? "wrong_password" : "unknown_email" } });
		throw new GatewayError("unauthorized", "Wrong email or password");
	}
	if (user.status !== "active") {
		audit(c, { ...attempt, result: "failure", detail: { reason: "disabled" } });
		throw new GatewayError("unauthorized", "This user is disabled");
	}
	const session = await startSession(c.env, { userId: user.id }, config(c.env).encryptionKey);
	audit(c, attempt);
	setSessionCookie(c, session);
	return c.json({ token: session.token, expires_at: new Date(session.expiresAt).toISOString(), user: userView(user) });
});

export const authRoutes = new Hono<AppEnv>()
	.get("/me", async (c) => {
		const principal = c.get("principal");
		if (principal.userId === null) return c.json({ role: principal.role, user: null });
		const [user] = await db(c.env).select().from(users).where(eq(users.id, principal.userId)).limit(1);
		return c.json({ role: principal.role, user: user ? userView(user) : null });
	})
	// The dashboard trades the operator's ADMIN_TOKEN for a session at once and keeps only the session, so that the
	// token itself never sits in the browser's storage.
	.post("/session", async (c) => {
		const { adminToken, encryptionKey } = config(c.env);
		const session = await startSession(c.env, { adminToken }, encryptionKey);
		audit(c, { action: "auth.login", objectType: "operator", detail: { method: "operator_session" } });
		setSessionCookie(c, session);
		return c.json({ token: session.token, expires_at: new Date(session.expiresAt).toISOString(), role: "admin" as const, user: null });
	})
	.post("/logout", async (c) => {
		const { sessionId, userId } = c.get("principal");
		if (sessionId !== null) await endSession(c.env, sessionId);
		audit(c, { action: "auth.logout", objectType: userId === null ? "operator" : "user", objectId: userId ?? undefined });
		clearSessionCookie(c);
		return c.body(null, 204);
	});

export const authDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/api/auth/login",
		summary: "Sign in with email and password (dashboard); 5 attempts a minute per email",
		tag: "Auth",
		auth: "none",
		body: loginRequest,
		response: loginResponse,
		errors: [401, 429],
	},
	{
		method: "post",
		path: "/api/auth/session",
		summary: "Trade the operator's credential for a session (4 hours), so that a browser need not keep ADMIN_TOKEN",
		tag: "Auth",
		auth: "admin",
		response: operatorSessionResponse,
	},
	{ method: "post", path: "/api/auth/logout", summary: "End the session sent (sign out)", tag: "Auth", auth: "user", errors: [204] },
	{ method: "get", path: "/api/auth/me", summary: "Who the credential sent is: role and user", tag: "Auth", auth: "user", response: meResponse },
];
