import { expect } from "vitest";
import { admin, call, createKey, uid } from "./gateway";

/** A call to /dify/v1 as dify-client makes it: the app key as a Bearer, JSON both ways (`Accept` too, even when streaming). */
export function dify(key: string, method: string, path: string, body?: unknown): Promise<Response> {
	return call(`/dify/v1${path}`, {
		method,
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
}

export interface DifyEvent {
	event: string;
	task_id?: string;
	message_id?: string;
	conversation_id?: string;
	answer?: string;
	status?: number;
	code?: string;
	message?: string;
	metadata?: { usage: Record<string, unknown>; retriever_resources: Record<string, unknown>[] };
}

/** The `data:` events of a Dify stream, in order (pings carry no data and are left out). */
export function difyEvents(raw: string): DifyEvent[] {
	return raw
		.split(/\n\n/)
		.flatMap((block) => block.split("\n").filter((l) => l.startsWith("data: ")))
		.map((l) => JSON.parse(l.slice(6)) as DifyEvent);
}

/** A new user with an ordinary key. */
export async function userWithKey(): Promise<{ userId: number; key: string; keyId: number }> {
	const res = await admin("POST", "/api/users", { name: `dify-${uid()}` });
	expect(res.status).toBe(201);
	const { id } = await res.json<{ id: number }>();
	const { key, id: keyId } = await createKey({ user_id: id });
	return { userId: id, key, keyId };
}

/** A blocking message; its answer's JSON. */
export async function ask(
	key: string,
	body: Record<string, unknown>,
): Promise<{ conversation_id: string; message_id: string; answer: string; task_id: string }> {
	const res = await dify(key, "POST", "/chat-messages", { inputs: {}, response_mode: "blocking", ...body });
	expect(res.status).toBe(200);
	return res.json();
}
