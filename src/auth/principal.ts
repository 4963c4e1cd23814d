import type { CallerKey } from "../types/caller";

/**
 * Who is calling the API under /api: the operator (the admin token, an operator session exchanged for it, or a
 * dashboard session of a user with the admin role), or a user, by one of their gateway keys (`keyId`) or a
 * dashboard session (`sessionId`).
 */
export type Principal =
	| { role: "admin"; userId: number | null; sessionId: string | null }
	| { role: "user"; userId: number; keyId: number | null; sessionId: string | null };

/** The bootstrap migration creates this user, the operator's own account: keys the operator makes without an owner belong to it. */
export const ADMIN_USER_ID = 1;

/** A gateway key acting for its user, rather than a person signed in (or the operator's own token). */
export const isKey = (p: Principal): boolean => p.role === "user" && p.keyId !== null;

/** A gateway key as the principal it acts for, so that /v1 routes ask the same policy questions as /api ones. */
export const keyPrincipal = (caller: CallerKey): Principal => ({ role: "user", userId: caller.userId, keyId: caller.keyId, sessionId: null });
