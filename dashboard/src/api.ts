import { forgetSession, session } from "./session";

/**
 * Where the API is: the dashboard's own origin when the Worker serves it (the default), or the Worker's URL
 * when the dashboard is deployed to Pages on its own (`VITE_API_BASE=https://gateway.example.com npm run build`;
 * the Worker's DASHBOARD_ORIGIN must then name the dashboard's origin).
 */
const BASE = (import.meta.env.VITE_API_BASE ?? "").replace(/\/$/, "");

/** An error the API answered, with its message as the gateway wrote it (OpenAI's error shape, or Mem0's `detail`). */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly code: string | null = null,
		/** The request field the error is about, where the API names one. */
		readonly param: string | null = null,
	) {
		super(message);
	}
}

async function errorOf(res: Response): Promise<ApiError> {
	try {
		const body = (await res.json()) as { error?: { message?: string; code?: string; param?: string | null }; detail?: string; code?: string };
		if (body.error === undefined && typeof body.detail === "string") return new ApiError(res.status, body.detail, body.code ?? null);
		return new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`, body.error?.code ?? null, body.error?.param ?? null);
	} catch {
		return new ApiError(res.status, `HTTP ${res.status}`);
	}
}

/**
 * A raw call with the session's credential (unless `init` brings its own); a 401 to the session forgets it (it
 * expired or was ended), which shows the sign-in page.
 */
export async function request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	// The session's own credential: its token (a dashboard on another origin) or the cookie the browser sends.
	const bySession = !headers.has("authorization") && session.value !== null;
	const token = bySession ? session.value?.token : null;
	if (token) headers.set("authorization", `Bearer ${token}`);
	// What the API asks of a change made with the session cookie: another site's page cannot send it.
	headers.set("x-requested-with", "edge-gateway");
	if (body !== undefined) headers.set("content-type", "application/json");
	const res = await fetch(BASE + path, { ...init, method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
	if (!res.ok) {
		const error = await errorOf(res);
		if (res.status === 401 && bySession) forgetSession();
		throw error;
	}
	return res;
}

/** JSON in, JSON out; 204 gives undefined. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
	const res = await request(method, path, body);
	if (res.status === 204) return undefined as T;
	return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>("GET", path);

/** Ends the session on the server, then here; here whatever the server answers, so that signing out always works. */
export async function signOut(): Promise<void> {
	if (session.value) await request("POST", "/api/auth/logout").catch(() => undefined);
	forgetSession();
}

/** A query string from the defined entries only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
	const s = q.toString();
	return s ? `?${s}` : "";
}
