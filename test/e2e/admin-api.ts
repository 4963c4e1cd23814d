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
