import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { looksLikeJwt } from "../auth/session";
import type { StartedSession } from "../auth/sessions";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { presentedKey } from "../relay/callers";

/**
 * The dashboard's session, when the Worker serves the dashboard (same origin): a cookie its scripts cannot read
 * (HttpOnly), sent only over HTTPS (Secure; Chromium and Firefox treat http://localhost and 127.0.0.1 as secure, so
 * `wrangler dev` works), never on a request another site starts (SameSite=Strict), and `__Host-` so that no
 * subdomain can set or shadow it. A dashboard on another origin (Pages) keeps its token in memory and sends it as a
 * Bearer instead (README, "Dashboard sessions").
 */
export const SESSION_COOKIE = "__Host-gw_session";

/** The header every dashboard request carries. A write authenticated by the cookie must bring it: a form or a link on another site cannot. */
export const CSRF_HEADER = "x-requested-with";
export const CSRF_VALUE = "edge-gateway";

const ATTRIBUTES: CookieOptions = { httpOnly: true, secure: true, sameSite: "Strict", path: "/" };
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function setSessionCookie(c: Context<AppEnv>, session: StartedSession): void {
	setCookie(c, SESSION_COOKIE, session.token, { ...ATTRIBUTES, expires: new Date(session.expiresAt) });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
	deleteCookie(c, SESSION_COOKIE, { ...ATTRIBUTES });
}

/**
 * The credential a request presents: its Authorization (or API key) header, else the session cookie. A cookie is
 * sent by the browser on its own, so a write it authenticates must also carry `x-requested-with: edge-gateway`,
 * which only a script of the dashboard's own origin can add (a cross-origin one would need a CORS preflight that
 * the gateway does not grant it).
 */
export function presentedCredential(c: Context<AppEnv>): string | undefined {
	const presented = presentedKey(c.req.raw.headers);
	if (presented !== undefined) return presented;
	const cookie = getCookie(c, SESSION_COOKIE);
	if (cookie === undefined || !looksLikeJwt(cookie)) return undefined;
	if (!SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== CSRF_VALUE) {
		throw new GatewayError("forbidden", `A change made with the session cookie must carry '${CSRF_HEADER}: ${CSRF_VALUE}'`);
	}
	return cookie;
}
