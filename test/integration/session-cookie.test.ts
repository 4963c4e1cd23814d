// The dashboard's session as an HttpOnly cookie (the Worker-served dashboard): set at sign-in, read by /api and by
// the routes the dashboard calls as one of its user's keys, writes guarded against cross-site requests, cleared at sign-out.
import { describe, expect, it } from "vitest";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, createKey, uid } from "../support/gateway";

const COOKIE = "__Host-gw_session";

async function signedIn(): Promise<{ id: number; cookie: string; setCookie: string }> {
	const email = `cookie-${uid()}@example.com`;
	const { id } = await (await admin("POST", "/api/users", { name: `cookie-${uid()}`, email, password: "correct horse" })).json<{ id: number }>();
	const res = await call("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": `10.4.0.${Math.floor(Math.random() * 250)}` },
		body: JSON.stringify({ email, password: "correct horse" }),
	});
	expect(res.status).toBe(200);
	const setCookie = res.headers.get("set-cookie") ?? "";
	const value = new RegExp(`^${COOKIE}=([^;]+)`).exec(setCookie)?.[1];
	if (!value) throw new Error(`no session cookie in '${setCookie}'`);
	return { id, cookie: `${COOKIE}=${value}`, setCookie };
}

const withCookie = (cookie: string, method = "GET", extra: Record<string, string> = {}, body?: unknown) =>
	({ method, headers: { cookie, "content-type": "application/json", ...extra }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }) as const;

describe("the session cookie", () => {
	it("is set at sign-in HttpOnly, Secure, SameSite=Strict for the whole site, and stands for the session on /api", async () => {
		const { id, cookie, setCookie } = await signedIn();
		expect(setCookie).toMatch(/; HttpOnly/);
		expect(setCookie).toMatch(/; Secure/);
		expect(setCookie).toMatch(/; SameSite=Strict/);
		expect(setCookie).toMatch(/; Path=\//);
		const me = await call("/api/auth/me", withCookie(cookie));
		expect(me.status).toBe(200);
		expect(await me.json()).toMatchObject({ role: "user", user: { id } });
		// The operator's session from ADMIN_TOKEN comes as a cookie too.
		const operator = await call("/api/auth/session", { method: "POST", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
		expect(operator.headers.get("set-cookie")).toMatch(new RegExp(`^${COOKIE}=ey`));
	});

	it("makes changes only with the dashboard's header: a form or link on another site cannot send it", async () => {
		const { cookie } = await signedIn();
		const refused = await call("/api/tokens", withCookie(cookie, "POST", {}, { name: "from-elsewhere" }));
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { message: string } }>()).error.message).toContain("x-requested-with");
		const made = await call("/api/tokens", withCookie(cookie, "POST", { "x-requested-with": "edge-gateway" }, { name: "from-the-dashboard" }));
		expect(made.status).toBe(201);
	});

	it("acts as one of the user's keys where the dashboard does so (files, memories)", async () => {
		const { id, cookie } = await signedIn();
		const { id: keyId } = await createKey({ user_id: id });
		const files = await call("/v1/files", withCookie(cookie, "GET", { "x-gateway-key-id": String(keyId) }));
		expect(files.status).toBe(200);
		const memories = await call("/mem0/v1/entities/", withCookie(cookie, "GET", { "x-gateway-key-id": String(keyId) }));
		expect(memories.status).toBe(200);
	});

	it("is cleared at sign-out, and the session it held has ended", async () => {
		const { cookie } = await signedIn();
		const out = await call("/api/auth/logout", withCookie(cookie, "POST", { "x-requested-with": "edge-gateway" }));
		expect(out.status).toBe(204);
		expect(out.headers.get("set-cookie")).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0`));
		expect((await call("/api/auth/me", withCookie(cookie))).status).toBe(401);
	});

	it("is never taken for a gateway key, and the Authorization header wins over it", async () => {
		const { key } = await createKey();
		expect((await call("/api/auth/me", withCookie(`${COOKIE}=${key}`))).status).toBe(401);
		const { cookie } = await signedIn();
		const me = await call("/api/auth/me", { headers: { cookie, authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
		expect(await me.json()).toMatchObject({ role: "admin", user: null });
	});
});
