import { inject } from "vitest";

/** The admin API of the gateway under `wrangler dev`, as scripts call it. */
export async function adminApi<T>(method: string, path: string, body?: unknown): Promise<T> {
	const res = await fetch(`${inject("gatewayUrl")}${path}`, {
		method,
		headers: { authorization: `Bearer ${inject("adminToken")}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return res.json() as Promise<T>;
}

/** A key of a new user of its own (`fields`: more of the key's, e.g. `memory_mode`): each user sees only their own objects. */
export async function userKey(name: string, fields: Record<string, unknown> = {}): Promise<string> {
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: `${name}-${crypto.randomUUID().slice(0, 8)}` });
	return (await adminApi<{ key: string }>("POST", "/api/tokens", { ...fields, name, user_id: user.id })).key;
}
