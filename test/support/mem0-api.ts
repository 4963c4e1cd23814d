// The /mem0 API as the workers tests call it: Mem0's `Token` scheme, and a gateway user of its own per test owner
// (memories belong to the user whose key made them).
import { env } from "cloudflare:workers";
import { call, createKey, type KeyInput, uid } from "./gateway";

export const token = (key: string) => ({ Authorization: `Token ${key}`, "Content-Type": "application/json" });
export const post = (key: string, path: string, body: unknown) => call(`/mem0${path}`, { method: "POST", headers: token(key), body: JSON.stringify(body) });
export const get = (key: string, path: string) => call(`/mem0${path}`, { headers: token(key) });

export interface Owner {
	key: string;
	keyId: number;
	userId: number;
}

/** A new gateway user with one key (`key` its fields, e.g. `memory_mode`). */
export async function newOwner(key: KeyInput = {}): Promise<Owner> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`mem-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	const { key: secret, id } = await createKey({ ...key, user_id: user.id });
	return { key: secret, keyId: id, userId: user.id };
}
