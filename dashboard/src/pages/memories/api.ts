/**
 * Mem0's API as the gateway serves it (/mem0), called with the dashboard's session as one of the user's own keys,
 * named by id in `x-gateway-key-id`: memories belong to the key's user, and embedding them is billed to that key.
 */

import { request } from "../../api";

export type EntityType = "user" | "agent" | "app" | "run";

export interface Entity {
	id: string;
	type: EntityType;
	total_memories: number;
	created_at: string;
	updated_at: string;
}

export interface Memory {
	id: string;
	memory: string;
	user_id: string | null;
	agent_id: string | null;
	app_id: string | null;
	run_id: string | null;
	created_at: string;
	updated_at: string;
}

export interface Hit extends Memory {
	score: number;
}

export interface HistoryEntry {
	id: string;
	event: "ADD" | "UPDATE" | "DELETE";
	old_memory: string | null;
	new_memory: string | null;
	created_at: string;
}

export interface MemoryPage {
	count: number;
	results: Memory[];
}

/** The field that names an entity of each type, in filters, in an add and in a delete-all. */
export const entityField = (type: EntityType) => `${type}_id` as const;

/** One page of a list: the memories of one entity at a time are what a person reads through. */
export const PAGE_SIZE = 20;

export function memoryApi(keyId: string) {
	const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const res = await request(method, `/mem0${path}`, body, { headers: { "x-gateway-key-id": keyId } });
		return (await res.json()) as T;
	};
	const scope = (e: Entity) => ({ [entityField(e.type)]: e.id });
	return {
		entities: () => call<{ results: Entity[] }>("GET", "/v1/entities/").then((r) => r.results),
		memories: (e: Entity, page: number) => call<MemoryPage>("POST", "/v3/memories/", { filters: scope(e), page, page_size: PAGE_SIZE }),
		search: (e: Entity, query: string) => call<{ results: Hit[] }>("POST", "/v3/memories/search/", { query, filters: scope(e) }).then((r) => r.results),
		/** Stored as written (`infer: false`): no model reads it first. */
		add: (type: EntityType, id: string, text: string) =>
			call<unknown>("POST", "/v3/memories/add/", { [entityField(type)]: id, infer: false, messages: [{ role: "user", content: text }] }),
		update: (id: string, text: string) => call<Memory>("PUT", `/v1/memories/${encodeURIComponent(id)}/`, { text }),
		remove: (id: string) => call<unknown>("DELETE", `/v1/memories/${encodeURIComponent(id)}/`),
		removeAll: (e: Entity) => call<unknown>("DELETE", `/v1/memories/?${new URLSearchParams(scope(e))}`),
		history: (id: string) => call<HistoryEntry[]>("GET", `/v1/memories/${encodeURIComponent(id)}/history/`),
	};
}

export type MemoryApi = ReturnType<typeof memoryApi>;
