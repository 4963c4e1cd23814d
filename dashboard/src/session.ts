import { computed, signal } from "@preact/signals";

/** Who is signed in: the operator (admin token, or a user with the admin role) or a user (by a session JWT). */
export interface Session {
	/** Sent as `Authorization: Bearer …` on every /api call: the admin token or a session JWT. */
	token: string;
	role: "admin" | "user";
	/** The user's name or email; "operator" for the admin token. */
	name: string;
	userId: number | null;
}

const KEY = "edge-gateway.session";

function stored(): Session | null {
	try {
		const raw = localStorage.getItem(KEY);
		return raw ? (JSON.parse(raw) as Session) : null;
	} catch {
		return null;
	}
}

export const session = signal<Session | null>(stored());
export const isAdmin = computed(() => session.value?.role === "admin");

export function signIn(s: Session): void {
	session.value = s;
	localStorage.setItem(KEY, JSON.stringify(s));
}

export function signOut(): void {
	session.value = null;
	localStorage.removeItem(KEY);
}
