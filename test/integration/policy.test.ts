import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app, operations } from "../../src/app";
import { type Access, accessOf, routeAccess } from "../../src/auth/policy";
import { startSession } from "../../src/auth/sessions";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, createKey, uid } from "../support/gateway";

/** Every /api route the app serves, read from the app itself, so that a new route cannot be missed. */
const apiRoutes = [...new Map(app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/")).map((r) => [`${r.method} ${r.path}`, r])).values()];

type Kind = "anonymous" | "key" | "user session" | "admin-role session" | "operator token" | "operator session";

/** What each kind of caller gets from a route of each access: allowed (the route's own answer), or refused with this status. */
const expected: Record<Access, Record<Kind, "allowed" | 401 | 403>> = {
	public: {
		anonymous: "allowed",
		key: "allowed",
		"user session": "allowed",
		"admin-role session": "allowed",
		"operator token": "allowed",
		"operator session": "allowed",
	},
	any: {
		anonymous: 401,
		key: "allowed",
		"user session": "allowed",
		"admin-role session": "allowed",
		"operator token": "allowed",
		"operator session": "allowed",
	},
	person: { anonymous: 401, key: 403, "user session": "allowed", "admin-role session": "allowed", "operator token": "allowed", "operator session": "allowed" },
	operator: { anonymous: 401, key: 403, "user session": 403, "admin-role session": "allowed", "operator token": "allowed", "operator session": "allowed" },
	"operator-token": { anonymous: 401, key: 403, "user session": 403, "admin-role session": 403, "operator token": "allowed", "operator session": 403 },
};

async function newUser(role: "user" | "admin") {
	const res = await admin("POST", "/api/users", { name: `p-${uid()}` });
	const { id } = await res.json<{ id: number }>();
	if (role === "admin") await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(id).run();
	return id;
}

const sessionFor = async (who: { userId: number } | { adminToken: string }) => (await startSession(env, who, env.ENCRYPTION_KEY)).token;

/** A fresh credential of each kind for each request: some routes (sign-out) end the credential they are called with. */
async function credential(kind: Kind): Promise<string | undefined> {
	switch (kind) {
		case "anonymous":
			return undefined;
		case "key":
			return (await createKey({ user_id: await newUser("user") })).key;
		case "user session":
			return sessionFor({ userId: await newUser("user") });
		case "admin-role session":
			return sessionFor({ userId: await newUser("admin") });
		case "operator token":
			return TEST_ADMIN_TOKEN;
		case "operator session":
			return sessionFor({ adminToken: TEST_ADMIN_TOKEN });
	}
}

// Path parameters name nothing that exists: the routes answer 404 or 400 once allowed, and change nothing.
const concrete = (path: string) =>
	path.replace(":id", "999999").replace(":group", `none-${uid()}`).replace(":model", `none-${uid()}`).replace(":request_id", `none-${uid()}`);

describe("the authorization policy", () => {
	it("has a rule for every /api route the app serves", () => {
		const rules: Record<string, Access> = routeAccess;
		const missing = apiRoutes.map((r) => `${r.method} ${r.path}`).filter((route) => !(route in rules));
		expect(missing).toEqual([]);
		// …and no rule for a route that no longer exists.
		const served = new Set(apiRoutes.map((r) => `${r.method} ${r.path}`));
		expect(Object.keys(rules).filter((rule) => !served.has(rule))).toEqual([]);
	});

	it("opens to users only the routes reviewed for it: every other route is the operator's", () => {
		const open = Object.entries(routeAccess as Record<string, Access>)
			.filter(([, access]) => access !== "operator" && access !== "operator-token")
			.map(([route, access]) => `${route} (${access})`);
		expect(open.sort()).toEqual(
			[
				"GET /api/openapi.json (public)",
				"POST /api/auth/login (public)",
				"POST /api/security/leaked-keys (public)",
				"POST /api/auth/logout (person)",
				"GET /api/auth/me (any)",
				"GET /api/tokens (any)",
				"POST /api/tokens (person)",
				"GET /api/tokens/:id (any)",
				"PATCH /api/tokens/:id (person)",
				"DELETE /api/tokens/:id (person)",
				"GET /api/tokens/:id/limits (any)",
				"POST /api/tokens/:id/rotate (person)",
				"GET /api/users/me (any)",
				"DELETE /api/users/me (person)",
				"GET /api/users/me/export (person)",
				"GET /api/prices (any)",
				"GET /api/prices/:model (any)",
				"GET /api/usage (any)",
				"GET /api/usage/export.csv (any)",
				"GET /api/usage/:request_id (any)",
				"GET /api/audit (any)",
				"GET /api/audit/export.csv (any)",
				"GET /api/billing/ledger (any)",
				"GET /api/billing/balance (any)",
				"POST /api/redemptions/redeem (any)",
				"GET /api/stats/timeseries (any)",
				"GET /api/stats/top (any)",
				"GET /api/playground/models (person)",
				"POST /api/playground/chat/completions (person)",
				"POST /api/playground/responses (person)",
				"GET /api/conversations (any)",
				"POST /api/conversations (person)",
				"GET /api/conversations/:id (any)",
				"PATCH /api/conversations/:id (person)",
				"DELETE /api/conversations/:id (person)",
				"PUT /api/conversations/:id/turns/:turn_id/feedback (person)",
				"POST /api/conversations/:id/summarize (person)",
				"GET /api/apps (person)",
				"POST /api/apps (person)",
				"GET /api/apps/:id (person)",
				"PATCH /api/apps/:id (person)",
				"DELETE /api/apps/:id (person)",
				"GET /api/apps/:id/keys (person)",
				"POST /api/apps/:id/keys (person)",
				"DELETE /api/apps/:id/keys/:key_id (person)",
				"DELETE /api/cache (person)",
			].sort(),
		);
	});

	it("documents each /api operation in the OpenAPI document with the access the policy gives it", () => {
		const documented: Record<Access, string> = { public: "none", any: "user", person: "user", operator: "admin", "operator-token": "admin" };
		const wrong = operations
			.filter((op) => op.path.startsWith("/api/"))
			.map((op) => ({ op, access: accessOf(op.method.toUpperCase(), op.path.replace(/\{(\w+)\}/g, ":$1")) }))
			.filter(({ op, access }) => documented[access] !== op.auth)
			.map(({ op, access }) => `${op.method} ${op.path}: documented ${op.auth}, policy ${access}`);
		expect(wrong).toEqual([]);
	});

	it("gives a route nobody wrote a rule for to the operator alone", () => {
		expect(accessOf("POST", "/api/some-new-route")).toBe("operator");
	});

	const kinds = Object.keys(expected.any) as Kind[];
	for (const kind of kinds) {
		it(`answers every /api route as the policy says for: ${kind}`, async () => {
			const wrong: string[] = [];
			for (const route of apiRoutes) {
				const want = expected[accessOf(route.method, route.path)][kind];
				const token = await credential(kind);
				const res = await call(concrete(route.path), {
					method: route.method,
					headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
					...(route.method === "GET" || route.method === "DELETE" ? {} : { body: "{}" }),
				});
				const got = res.status === 401 || res.status === 403 ? res.status : "allowed";
				if (got !== want) wrong.push(`${route.method} ${route.path}: wanted ${want}, got ${res.status} ${await res.text()}`);
				else await res.body?.cancel();
			}
			expect(wrong).toEqual([]);
			// One request per /api route: well over the default 5 s on a loaded machine.
		}, 30_000);
	}
});
