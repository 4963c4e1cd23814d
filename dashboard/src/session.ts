import { computed, signal } from "@preact/signals";

/** Who is signed in: the operator (ADMIN_TOKEN traded for a session, or a user with the admin role) or a user. */
export interface Session {
	/**
	 * The session JWT, sent as `Authorization: Bearer …`, when the dashboard is on another origin than the API
	 * (Pages); null when the Worker serves it, where the session is an HttpOnly cookie that no script can read.
	 */
	token: string | null;
	/** When the API stops accepting the session, in ms since the epoch. */
	expiresAt: number;
	role: "admin" | "user";
	/** The user's name or email; "operator" for the operator's session. */
	name: string;
	userId: number | null;
}

/**
 * Where the session lives (README, "Dashboard sessions"). Served by the Worker (no VITE_API_BASE), the API sets an
 * HttpOnly cookie at sign-in and the page keeps only who is signed in, which is no secret, to draw itself after a
 * reload. Served from another origin, the page must send the token itself: it keeps it in sessionStorage, which
 * lasts as long as the tab and is shared with no other tab, never in localStorage.
 */
export const COOKIE_SESSION = !import.meta.env.VITE_API_BASE;
const KEY = COOKIE_SESSION ? "edge-gateway.profile" : "edge-gateway.session";
const store = (): Storage => (COOKIE_SESSION ? localStorage : sessionStorage);

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** What storage holds, if it is what this dashboard writes: anyone (or an older dashboard) may have written it. */
function isSession(value: unknown): value is Session {
	if (typeof value !== "object" || value === null) return false;
	const s: Partial<Record<keyof Session, unknown>> = value;
	return (
		(COOKIE_SESSION ? s.token === null : typeof s.token === "string" && JWT.test(s.token)) &&
		typeof s.expiresAt === "number" &&
		(s.role === "admin" || s.role === "user") &&
		typeof s.name === "string" &&
		(s.userId === null || typeof s.userId === "number")
	);
}

function stored(): Session | null {
	// A session token an older dashboard kept in localStorage: gone, it does not belong there.
	localStorage.removeItem("edge-gateway.session");
	let s: unknown = null;
	try {
		s = JSON.parse(store().getItem(KEY) ?? "null");
	} catch {
		s = null;
	}
	if (isSession(s) && s.expiresAt > Date.now()) return s;
	store().removeItem(KEY);
	return null;
}

export const session = signal<Session | null>(stored());
export const isAdmin = computed(() => session.value?.role === "admin");

export function signIn(s: Session): void {
	const kept = COOKIE_SESSION ? { ...s, token: null } : s;
	session.value = kept;
	store().setItem(KEY, JSON.stringify(kept));
}

/** Drops the session here only; `signOut` in api.ts also ends it on the server (and clears the cookie). */
export function forgetSession(): void {
	session.value = null;
	store().removeItem(KEY);
}
