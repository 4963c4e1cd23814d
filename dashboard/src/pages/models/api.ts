/** Model aliases and routing policies (/api/models): the operator's. */

import { api } from "../../api";

export const POLICIES = ["weighted", "round_robin", "least_errors", "lowest_latency", "consistent_hash"] as const;
export type Policy = (typeof POLICIES)[number];
export const HASH_FIELDS = ["user", "key"] as const;
export type HashField = (typeof HASH_FIELDS)[number];

export interface ModelRoute {
	name: string;
	alias: boolean;
	chain: string[];
	policy: Policy;
	hash_on: HashField | null;
	created_at: string;
	updated_at: string;
}

export interface RouteInput {
	chain: string[];
	policy: Policy;
	hash_on?: HashField;
}

const path = (name: string) => `/api/models/${encodeURIComponent(name)}`;

export const modelsApi = {
	list: () => api<{ data: ModelRoute[] }>("GET", "/api/models").then((r) => r.data),
	put: (name: string, input: RouteInput) => api<ModelRoute>("PUT", path(name), input),
	remove: (name: string) => api<unknown>("DELETE", path(name)),
};
