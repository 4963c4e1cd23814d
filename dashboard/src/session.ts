import { computed, signal } from "@preact/signals";

/** Who is signed in: the operator (ADMIN_TOKEN traded for a session, or a user with the admin role) or a user. */
export interface Session {
	/** A session JWT, sent as `Authorization: Bearer …` on every /api call; never ADMIN_TOKEN itself. */
	token: string;
	/** When the API stops accepting `token`, in ms since the epoch. */
	expiresAt: number;
	role: "admin" | "user";
	/** The user's name or email; "operator" for the operator's session. */
	name: string;
	userId: number | null;
}

const KEY = "edge-gateway.session";

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** What localStorage holds, if it is a session this dashboard wrote: anyone (or an older dashboard) may have written it. */
function isSession(value: unknown): value is Session {
	if (typeof value !== "object" || value === null) return false;
	const s: Partial<Record<keyof Session, unknown>> = value;
	return (
		typeof s.token === "string" &&
		JWT.test(s.token) &&
		typeof s.expiresAt === "number" &&
		(s.role === "admin" || s.role === "user") &&
		typeof s.name === "string" &&
		(s.userId === null || typeof s.userId === "number")
	);
}

function stored(): Session | null {
	let s: unknown = null;
	try {
		s = JSON.parse(localStorage.getItem(KEY) ?? "null");
	} catch {
		s = null;
	}
	if (isSession(s) && s.expiresAt > Date.now()) return s;
	// Expired, unreadable, or written by an older dashboard that kept ADMIN_TOKEN itself here: gone.
	localStorage.removeItem(KEY);
	return null;
}

export const session = signal<Session | null>(stored());
export const isAdmin = computed(() => session.value?.role === "admin");

export function signIn(s: Session): void {
	session.value = s;
	localStorage.setItem(KEY, JSON.stringify(s));
}

/** Drops the session here only; `signOut` in api.ts also ends it on the server. */
export function forgetSession(): void {
	session.value = null;
	localStorage.removeItem(KEY);
}
