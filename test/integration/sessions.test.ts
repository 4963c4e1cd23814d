import { describe, expect, it } from "vitest";
import { admin, call, createChannel, createKey, readSse, uid, upstream, usageRow } from "../support/gateway";

async function newUser(over: Record<string, unknown> = {}) {
	const email = `U-${uid()}@Example.com`;
	const res = await admin("POST", "/api/users", { name: `u-${uid()}`, email, password: "correct horse", ...over });
	expect(res.status).toBe(201);
	return { ...(await res.json<{ id: number; email: string; has_password: boolean }>()), typed: email };
}

const login = (email: string, password: string, ip = `10.0.0.${Math.floor(Math.random() * 250)}`) =>
	call("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": ip },
		body: JSON.stringify({ email, password }),
	});

const as = (token: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

async function session(email: string): Promise<string> {
	const res = await login(email, "correct horse");
	expect(res.status).toBe(200);
	return (await res.json<{ token: string }>()).token;
}

describe("dashboard sign-in", () => {
	it("signs a user in with email and password (any case), and never shows the hash", async () => {
		const user = await newUser();
		expect(user).toMatchObject({ email: user.typed.toLowerCase(), has_password: true });
		expect(JSON.stringify(user)).not.toContain("pbkdf2");
		const res = await login(user.typed.toUpperCase(), "correct horse");
		expect(res.status).toBe(200);
		const body = await res.json<{ token: string; user: unknown }>();
		expect(body.token).toMatch(/^eyJ/);
		expect(body.user).toEqual({ id: user.id, name: expect.any(String), email: user.email, role: "user" });
		expect(await (await as(body.token, "GET", "/api/auth/me")).json()).toEqual({ role: "user", user: body.user });
	});

	it("answers a wrong password and an unknown email alike, with 401", async () => {
		const user = await newUser();
		for (const [email, password] of [
			[user.email, "wrong horse"],
			[`nobody-${uid()}@example.com`, "correct horse"],
		] as const) {
			const res = await login(email, password);
			expect(res.status).toBe(401);
			expect((await res.json<{ error: { message: string } }>()).error.message).toBe("Wrong email or password");
		}
		expect((await login("not-an-email", "x")).status).toBe(400);
	});

	it("limits sign-in attempts to 5 a minute per email, with Retry-After", async () => {
		const user = await newUser();
		for (let i = 0; i < 5; i++) expect((await login(user.email, "wrong horse")).status).toBe(401);
		const limited = await login(user.email, "correct horse");
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		expect((await limited.json<{ error: { code: string } }>()).error.code).toBe("rate_limit_exceeded");
	});

	it("refuses a forged, garbled or disabled user's session with 401", async () => {
		const user = await newUser();
		const token = await session(user.email);
		const forged = `${token.slice(0, -4)}AAAA`;
		expect((await as(forged, "GET", "/api/auth/me")).status).toBe(401);
		await admin("PATCH", `/api/users/${user.id}`, { status: "disabled" });
		expect((await as(token, "GET", "/api/auth/me")).status).toBe(401);
		expect((await login(user.email, "correct horse")).status).toBe(401);
	});

	it("gives an admin-role user's session the operator's routes, and a user's session only their own", async () => {
		const plain = await newUser();
		const token = await session(plain.email);
		expect((await as(token, "GET", "/api/channels")).status).toBe(403);
		expect((await as(token, "POST", "/api/stats/refresh")).status).toBe(403);
		expect((await as(token, "GET", "/api/users/me")).status).toBe(200);

		const boss = await newUser();
		const { env } = await import("cloudflare:workers");
		await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(boss.id).run();
		const bossToken = await session(boss.email);
		expect((await as(bossToken, "GET", "/api/channels")).status).toBe(200);
		expect(await (await as(bossToken, "POST", "/api/stats/refresh")).json()).toMatchObject({ ok: true });
	});
});

describe("a user's own keys", () => {
	it("lists, creates, limits and revokes only their own keys", async () => {
		const user = await newUser();
		const other = await newUser();
		const token = await session(user.email);
		const theirs = await createKey({ user_id: other.id });

		const created = await as(token, "POST", "/api/tokens", { name: "mine", rpm: 10 });
		expect(created.status).toBe(201);
		const mine = await created.json<{ id: number; user_id: number; key: string; rpm: number }>();
		expect(mine).toMatchObject({ user_id: user.id, rpm: 10, key: expect.stringMatching(/^sk-/) });
		expect((await as(token, "POST", "/api/tokens", { name: "theirs", user_id: other.id })).status).toBe(403);

		const { data } = await (await as(token, "GET", "/api/tokens")).json<{ data: { id: number }[] }>();
		expect(data.map((t) => t.id)).toEqual([mine.id]);
		expect((await as(token, "GET", `/api/tokens/${theirs.id}`)).status).toBe(404);
		expect((await as(token, "PATCH", `/api/tokens/${theirs.id}`, { status: "disabled" })).status).toBe(404);
		expect((await as(token, "DELETE", `/api/tokens/${theirs.id}`)).status).toBe(404);
		expect(await (await as(token, "PATCH", `/api/tokens/${mine.id}`, { tpm: 5000 })).json()).toMatchObject({ tpm: 5000 });
		expect((await as(token, "GET", `/api/tokens/${mine.id}/limits`)).status).toBe(200);
		expect(await (await as(token, "PATCH", `/api/tokens/${mine.id}`, { status: "disabled" })).json()).toMatchObject({ status: "disabled" });
		expect((await as(token, "PATCH", `/api/tokens/${mine.id}`, { status: "active" })).status).toBe(403);
		expect((await as(token, "DELETE", `/api/tokens/${mine.id}`)).status).toBe(204);
	});

	it("lets a gateway key read its user's keys but not create, change or delete any", async () => {
		const user = await newUser();
		const { id, key } = await createKey({ user_id: user.id });
		expect((await as(key, "GET", "/api/tokens")).status).toBe(200);
		expect((await as(key, "POST", "/api/tokens", { name: "minted" })).status).toBe(403);
		expect((await as(key, "PATCH", `/api/tokens/${id}`, { rpm: null })).status).toBe(403);
		expect((await as(key, "DELETE", `/api/tokens/${id}`)).status).toBe(403);
	});
});

describe("the playground", () => {
	it("streams a chat as one of the user's keys, metered like /v1, and refuses others' and disabled keys", async () => {
		const model = `pg-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const user = await newUser();
		const token = await session(user.email);
		const mine = await (await as(token, "POST", "/api/tokens", { name: "pg" })).json<{ id: number }>();
		const body = { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] };

		const res = await as(token, "POST", `/api/playground/chat/completions?token_id=${mine.id}`, body);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const { events, raw } = await readSse(res);
		expect(raw).toContain("data: [DONE]");
		expect(events).toContainEqual(expect.objectContaining({ usage: expect.objectContaining({ prompt_tokens: 11 }) }));
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ token_id: mine.id, user_id: user.id, endpoint: "/api/playground/chat/completions", status: 200 });

		const other = await createKey();
		expect((await as(token, "POST", `/api/playground/chat/completions?token_id=${other.id}`, body)).status).toBe(404);
		await as(token, "PATCH", `/api/tokens/${mine.id}`, { status: "disabled" });
		const refused = await as(token, "POST", `/api/playground/chat/completions?token_id=${mine.id}`, body);
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { message: string } }>()).error.message).toBe("This API key is disabled");
	});
});

describe("a dashboard on another origin (Pages)", () => {
	it("may call /api from DASHBOARD_ORIGIN only, and only when it is set", async () => {
		const { env } = await import("cloudflare:workers");
		const { createExecutionContext } = await import("cloudflare:test");
		const worker = (await import("../../src")).default;
		const preflight = (origin: string, vars: Partial<Env>) =>
			worker.fetch(
				new Request("http://gateway.test/api/auth/login", {
					method: "OPTIONS",
					headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
				}),
				{ ...env, ...vars } as Env,
				createExecutionContext(),
			);
		const allowed = await preflight("https://dash.example.com", { DASHBOARD_ORIGIN: "https://dash.example.com/" });
		expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example.com");
		const other = await preflight("https://evil.example.com", { DASHBOARD_ORIGIN: "https://dash.example.com" });
		expect(other.headers.get("access-control-allow-origin")).toBeNull();
		const unset = await preflight("https://dash.example.com", {});
		expect(unset.headers.get("access-control-allow-origin")).toBeNull();
	});
});
