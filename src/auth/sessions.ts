import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { db } from "../db/client";
import { sessions, users } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import type { Principal } from "./principal";
import { issueSession, type SessionClaims } from "./session";

const HOUR_MS = 3_600_000;
/** A person's working day. */
const USER_TTL_MS = 12 * HOUR_MS;
/** Shorter for the operator, whose session can do anything. */
const OPERATOR_TTL_MS = 4 * HOUR_MS;

// Operator sessions remember which ADMIN_TOKEN they were exchanged for, so that rotating the token ends them.
const adminDigest = (adminToken: string) => sha256Hex(`edge-gateway operator session\n${adminToken}`);

export interface StartedSession {
	token: string;
	expiresAt: number;
}

/** Starts a session for a user, or for the operator (who holds `adminToken`), and signs its JWT. */
export async function startSession(
	env: Env,
	who: { userId: number } | { adminToken: string },
	encryptionKey: string,
	now = Date.now(),
): Promise<StartedSession> {
	const operator = "adminToken" in who;
	const expiresAt = now + (operator ? OPERATOR_TTL_MS : USER_TTL_MS);
	const sessionId = crypto.randomUUID();
	await db(env)
		.insert(sessions)
		.values({
			id: sessionId,
			userId: operator ? null : who.userId,
			adminDigest: operator ? await adminDigest(who.adminToken) : null,
			createdAt: now,
			expiresAt,
		});
	const subject = operator ? "operator" : who.userId;
	return { token: await issueSession({ sessionId, subject }, expiresAt, encryptionKey), expiresAt };
}

/** The principal a session's claims stand for, if its row is live (not ended, not expired, its user active). */
export async function sessionPrincipal(env: Env, claims: SessionClaims, adminToken: string, now = Date.now()): Promise<Principal | undefined> {
	const [row] = await db(env)
		.select({ userId: sessions.userId, adminDigest: sessions.adminDigest, role: users.role, status: users.status })
		.from(sessions)
		.leftJoin(users, eq(users.id, sessions.userId))
		.where(and(eq(sessions.id, claims.sessionId), isNull(sessions.endedAt), gt(sessions.expiresAt, now)))
		.limit(1);
	if (!row) return undefined;
	if (claims.subject === "operator") {
		return row.userId === null && row.adminDigest === (await adminDigest(adminToken))
			? { role: "admin", userId: null, sessionId: claims.sessionId }
			: undefined;
	}
	if (row.userId !== claims.subject || row.status !== "active") return undefined;
	return row.role === "admin"
		? { role: "admin", userId: row.userId, sessionId: claims.sessionId }
		: { role: "user", userId: row.userId, keyId: null, sessionId: claims.sessionId };
}

export async function endSession(env: Env, sessionId: string, now = Date.now()): Promise<void> {
	await db(env)
		.update(sessions)
		.set({ endedAt: now })
		.where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)));
}

/** Ends every live session of a user: their password changed, or they were disabled. */
export async function endSessionsOf(env: Env, userId: number, now = Date.now()): Promise<void> {
	await db(env)
		.update(sessions)
		.set({ endedAt: now })
		.where(and(eq(sessions.userId, userId), isNull(sessions.endedAt)));
}

/** Deletes sessions that expired or ended over a day ago: they can never be used again. */
export async function pruneSessions(env: Env, now: number): Promise<number> {
	const dayAgo = now - 86_400_000;
	const { meta } = await db(env)
		.delete(sessions)
		.where(or(lt(sessions.expiresAt, dayAgo), lt(sessions.endedAt, dayAgo)))
		.run();
	return meta.changes;
}
