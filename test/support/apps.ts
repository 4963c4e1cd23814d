import { expect } from "vitest";
import { TEST_ADMIN_TOKEN } from "./constants";
import { admin, call, uid } from "./gateway";

/** A request with a bearer credential (the operator's token, a session, a gateway or app key). */
export const as = (token: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

/** A new user who can sign in, with a dashboard session. */
export async function signedInUser(): Promise<{ id: number; session: string }> {
	const email = `app-${uid()}@example.com`;
	const res = await admin("POST", "/api/users", { name: `app-${uid()}`, email, password: "correct horse" });
	expect(res.status).toBe(201);
	const { id } = await res.json<{ id: number }>();
	const login = await call("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": `10.2.0.${Math.floor(Math.random() * 250)}` },
		body: JSON.stringify({ email, password: "correct horse" }),
	});
	expect(login.status).toBe(200);
	return { id, session: (await login.json<{ token: string }>()).token };
}

export interface App {
	id: string;
	name: string;
	model: string;
	owner_id: number;
	[field: string]: unknown;
}

/** An app of `userId`'s made by the operator, and a key for it. */
export async function appWithKey(userId: number, fields: Record<string, unknown>): Promise<{ app: App; key: string }> {
	const res = await as(TEST_ADMIN_TOKEN, "POST", "/api/apps", { name: `app-${uid()}`, user_id: userId, ...fields });
	expect(res.status).toBe(201);
	const app = await res.json<App>();
	const made = await as(TEST_ADMIN_TOKEN, "POST", `/api/apps/${app.id}/keys`, {});
	expect(made.status).toBe(201);
	return { app, key: (await made.json<{ key: string }>()).key };
}
