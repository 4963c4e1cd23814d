import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/env";
import { onError } from "../../src/errors/on-error";
import worker from "../../src/index";
import { apiAuth } from "../../src/middleware/api-auth";
import { authorize } from "../../src/middleware/authorize";
import { tracing } from "../../src/middleware/tracing";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, createChannel, createKey, uid, upstream } from "../support/gateway";

// Regression tests for the access defects of issue 13, each as a user or an attacker would meet it.

const as = (token: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

async function newUser() {
	const email = `a-${uid()}@example.com`;
	const res = await admin("POST", "/api/users", { name: `a-${uid()}`, email, password: "correct horse" });
	expect(res.status).toBe(201);
	return { ...(await res.json<{ id: number }>()), email };
}

async function signIn(email: string, password = "correct horse"): Promise<string> {
	const res = await call("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": `10.1.0.${Math.floor(Math.random() * 250)}` },
		body: JSON.stringify({ email, password }),
	});
	expect(res.status).toBe(200);
	return (await res.json<{ token: string }>()).token;
}

const hello = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

describe("acting as a key by id (the playground)", () => {
	it("refuses a gateway key acting as another key of the same user: only a session or the operator may", async () => {
		const model = `pg-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const user = await newUser();
		const narrow = await createKey({ user_id: user.id, models: ["something-else"] });
		const wide = await createKey({ user_id: user.id });
		const refused = await as(narrow.key, "POST", `/api/playground/chat/completions?token_id=${wide.id}`, hello(model));
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("forbidden");
		expect((await as(await signIn(user.email), "POST", `/api/playground/chat/completions?token_id=${wide.id}`, hello(model))).status).toBe(200);
		expect((await as(TEST_ADMIN_TOKEN, "POST", `/api/playground/chat/completions?token_id=${wide.id}`, hello(model))).status).toBe(200);
	});

	it("lists the models a key may use, for the playground's picker, as /v1/models lists them for that key", async () => {
		const served = [`pg-a-${uid()}`, `pg-b-${uid()}`];
		await createChannel({ base_url: upstream(uid(), "ok"), models: served });
		const user = await newUser();
		const narrow = await createKey({ user_id: user.id, models: [served[0] ?? "", "served-nowhere"] });
		const wide = await createKey({ user_id: user.id });
		const session = await signIn(user.email);
		const models = async (token: string, keyId: number) => {
			const res = await as(token, "GET", `/api/playground/models?token_id=${keyId}`);
			expect(res.status).toBe(200);
			return (await res.json<{ data: { id: string }[] }>()).data.map((m) => m.id);
		};
		expect(await models(session, narrow.id)).toEqual([served[0]]);
		expect(await models(session, wide.id)).toEqual(expect.arrayContaining(served));
		const v1 = await (await as(wide.key, "GET", "/v1/models")).json<{ data: { id: string }[] }>();
		expect(await models(TEST_ADMIN_TOKEN, wide.id)).toEqual(v1.data.map((m) => m.id));
		// A gateway key may not look through another key; another user's key is not there.
		expect((await as(narrow.key, "GET", `/api/playground/models?token_id=${wide.id}`)).status).toBe(403);
		const other = await createKey();
		expect((await as(session, "GET", `/api/playground/models?token_id=${other.id}`)).status).toBe(404);
	});

	it("answers another user's disabled key and a missing key alike: 404", async () => {
		const user = await newUser();
		const token = await signIn(user.email);
		const theirs = await createKey();
		await admin("PATCH", `/api/tokens/${theirs.id}`, { status: "disabled" });
		const disabled = await as(token, "POST", `/api/playground/chat/completions?token_id=${theirs.id}`, hello("x"));
		const missing = await as(token, "POST", "/api/playground/chat/completions?token_id=99999999", hello("x"));
		expect([disabled.status, missing.status]).toEqual([404, 404]);
		const message = (res: Response) => res.json<{ error: { message: string } }>().then((b) => b.error.message.replace(/\d+/, "N"));
		expect(await message(disabled)).toBe(await message(missing));
	});
});

describe("the operator's limits on a user's key", () => {
	it("lets the user tighten them (and back up to the operator's value), never loosen or clear them", async () => {
		const user = await newUser();
		const token = await signIn(user.email);
		const expires = "2099-01-01T00:00:00.000Z";
		const created = await admin("POST", "/api/tokens", {
			name: "capped",
			user_id: user.id,
			rpm: 100,
			quota_usd: 5,
			models: ["m-a", "m-b"],
			expires_at: expires,
		});
		const key = await created.json<{ id: number; operator_limits: unknown }>();
		expect(key.operator_limits).toEqual({ rpm: 100, quota_usd: 5, models: ["m-a", "m-b"], expires_at: expires });

		const patch = (body: unknown) => as(token, "PATCH", `/api/tokens/${key.id}`, body);
		for (const [body, param] of [
			[{ rpm: null }, "rpm"],
			[{ rpm: 101 }, "rpm"],
			[{ quota_usd: null }, "quota_usd"],
			[{ quota_usd: 6 }, "quota_usd"],
			[{ models: null }, "models"],
			[{ models: ["m-a", "m-c"] }, "models"],
			[{ expires_at: null }, "expires_at"],
			[{ expires_at: "2100-01-01T00:00:00Z" }, "expires_at"],
		] as const) {
			const res = await patch(body);
			expect(res.status, JSON.stringify(body)).toBe(403);
			expect((await res.json<{ error: { param: string } }>()).error.param).toBe(param);
		}
		expect(await (await patch({ rpm: 10, models: ["m-a"], quota_usd: 1, expires_at: "2098-01-01T00:00:00Z" })).json()).toMatchObject({
			rpm: 10,
			models: ["m-a"],
			quota_usd: 1,
			operator_limits: { rpm: 100, models: ["m-a", "m-b"] },
		});
		expect(await (await patch({ rpm: 100 })).json()).toMatchObject({ rpm: 100 });

		// A limit the operator did not set is the user's: added, loosened and cleared at will.
		expect(await (await patch({ tpm: 1000 })).json()).toMatchObject({ tpm: 1000 });
		expect(await (await patch({ tpm: 5000 })).json()).toMatchObject({ tpm: 5000 });
		expect(await (await patch({ tpm: null })).json()).toMatchObject({ tpm: null });

		// The operator lifts a bound; then it is the user's to clear.
		expect(await (await admin("PATCH", `/api/tokens/${key.id}`, { rpm: null })).json()).toMatchObject({ rpm: null, operator_limits: { quota_usd: 5 } });
		expect(await (await patch({ rpm: 7 })).json()).toMatchObject({ rpm: 7 });
		expect(await (await patch({ rpm: null })).json()).toMatchObject({ rpm: null });
	});

	it("keeps a key the user made entirely theirs", async () => {
		const user = await newUser();
		const token = await signIn(user.email);
		const mine = await (await as(token, "POST", "/api/tokens", { name: "own", rpm: 5 })).json<{ id: number; operator_limits: unknown }>();
		expect(mine.operator_limits).toEqual({});
		expect(await (await as(token, "PATCH", `/api/tokens/${mine.id}`, { rpm: null })).json()).toMatchObject({ rpm: null });
	});
});

describe("routes nobody wrote a rule for", () => {
	it("are the operator's alone", async () => {
		// As the app stacks them: the authentication span hangs on the request's trace.
		const probe = new Hono<AppEnv>()
			.use(tracing())
			.use("/api/*", apiAuth(), authorize())
			.get("/api/unlisted", (c) => c.json({ ok: true }))
			.onError(onError);
		const user = await newUser();
		const { key } = await createKey({ user_id: user.id });
		const get = (token: string) =>
			probe.request("/api/unlisted", { headers: { authorization: `Bearer ${token}` } }, env, createExecutionContext()) as Promise<Response>;
		expect((await get(key)).status).toBe(403);
		expect((await get(await signIn(user.email))).status).toBe(403);
		expect((await get(TEST_ADMIN_TOKEN)).status).toBe(200);
	});
});

describe("sessions end when they should", () => {
	it("ends a user's sessions when the operator changes their password, and on sign-out", async () => {
		const user = await newUser();
		const before = await signIn(user.email);
		expect((await as(before, "GET", "/api/auth/me")).status).toBe(200);
		await admin("PATCH", `/api/users/${user.id}`, { password: "new horse battery" });
		expect((await as(before, "GET", "/api/auth/me")).status).toBe(401);

		const after = await signIn(user.email, "new horse battery");
		expect((await as(after, "POST", "/api/auth/logout")).status).toBe(204);
		expect((await as(after, "GET", "/api/auth/me")).status).toBe(401);
	});

	it("trades ADMIN_TOKEN for an operator session that signing out or a new ADMIN_TOKEN ends", async () => {
		const res = await as(TEST_ADMIN_TOKEN, "POST", "/api/auth/session");
		expect(res.status).toBe(200);
		const body = await res.json<{ token: string; role: string; user: null; expires_at: string }>();
		expect(body).toMatchObject({ role: "admin", user: null, token: expect.stringMatching(/^eyJ/) });
		expect(body.token).not.toContain(TEST_ADMIN_TOKEN);
		expect(Date.parse(body.expires_at) - Date.now()).toBeLessThanOrEqual(4 * 3_600_000);
		expect((await as(body.token, "GET", "/api/channels")).status).toBe(200);
		// The session cannot be traded on for another: only the token itself can.
		expect((await as(body.token, "POST", "/api/auth/session")).status).toBe(403);

		const rotated = { ...env, ADMIN_TOKEN: `rotated-${uid()}-${uid()}` };
		const me = new Request("http://gateway.test/api/auth/me", { headers: { authorization: `Bearer ${body.token}` } });
		expect((await worker.fetch(me, rotated, createExecutionContext())).status).toBe(401);

		expect((await as(body.token, "POST", "/api/auth/logout")).status).toBe(204);
		expect((await as(body.token, "GET", "/api/channels")).status).toBe(401);
	});
});

/** A D1 binding whose every call fails, as during an outage. */
const outage = new Proxy({} as D1Database, {
	get() {
		return () => {
			throw new Error("D1_ERROR: Network connection lost.");
		};
	},
});

describe("a database outage during authentication", () => {
	it("answers 503 in the format of the API called, not 401", async () => {
		const { key } = await createKey();
		const down = { ...env, DB: outage };
		const send = (path: string, init: RequestInit) => worker.fetch(new Request(`http://gateway.test${path}`, init), down, createExecutionContext());
		const json = { "content-type": "application/json" };

		const openai = await send("/v1/chat/completions", {
			method: "POST",
			headers: { ...json, authorization: `Bearer ${key}` },
			body: JSON.stringify(hello("m")),
		});
		expect(openai.status).toBe(503);
		expect(await openai.json()).toMatchObject({ error: { code: "auth_unavailable", type: "api_error" } });

		const anthropic = await send("/v1/messages", {
			method: "POST",
			headers: { ...json, "x-api-key": key, "anthropic-version": "2023-06-01" },
			body: JSON.stringify({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
		});
		expect(anthropic.status).toBe(503);
		expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

		const gemini = await send("/v1beta/models/m:generateContent", {
			method: "POST",
			headers: { ...json, "x-goog-api-key": key },
			body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
		});
		expect(gemini.status).toBe(503);
		expect(await gemini.json()).toMatchObject({ error: { code: 503, status: "UNAVAILABLE" } });

		const api = await send("/api/tokens", { headers: { authorization: `Bearer ${key}` } });
		expect(api.status).toBe(503);
		const session = await send("/api/auth/me", { headers: { authorization: `Bearer ${await signIn((await newUser()).email)}` } });
		expect(session.status).toBe(503);
	});
});
