/** Chat apps and their keys (/api/apps): an app is served to Dify's clients at /dify/v1 with its own keys. */

import { api } from "../../api";
import type { App } from "../../components/api-types";

export interface AppKey {
	id: number;
	name: string;
	key_prefix: string;
	status: "active" | "disabled";
	created_at: string;
	last_used_at: string | null;
}

/** A key as issued: the only time its secret is shown. */
export interface IssuedKey {
	id: number;
	key: string;
	key_prefix: string;
	name: string;
	app_id: string;
	created_at: string;
}

export type AppInput = Pick<
	App,
	| "name"
	| "model"
	| "description"
	| "system_prompt"
	| "opening_statement"
	| "suggested_questions"
	| "vector_store_ids"
	| "retrieval_top_k"
	| "score_threshold"
	| "memory_mode"
>;

const path = (id: string) => `/api/apps/${encodeURIComponent(id)}`;

export const appsApi = {
	list: () => api<{ data: App[] }>("GET", "/api/apps").then((r) => r.data),
	create: (input: AppInput) => api<App>("POST", "/api/apps", input),
	update: (id: string, input: Partial<AppInput>) => api<App>("PATCH", path(id), input),
	remove: (id: string) => api<unknown>("DELETE", path(id)),
	keys: (id: string) => api<{ data: AppKey[] }>("GET", `${path(id)}/keys`).then((r) => r.data),
	issue: (id: string, name: string) => api<IssuedKey>("POST", `${path(id)}/keys`, name.trim() ? { name: name.trim() } : {}),
	revoke: (id: string, keyId: number) => api<unknown>("DELETE", `${path(id)}/keys/${keyId}`),
};
