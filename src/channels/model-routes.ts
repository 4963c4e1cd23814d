import { z } from "zod";
import { db } from "../db/client";
import { type ModelRouteRow, modelRoutes } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";
import type { HashField, RoutingPolicy } from "../types/routing";

/** A model name's routing as the relay sees it: parsed once per cache fill, not per request. */
export interface ModelRoute {
	name: string;
	/** The models an alias stands for, in the order they are tried; empty for a plain model with a policy. */
	chain: readonly string[];
	policy: RoutingPolicy;
	hashOn: HashField | undefined;
}

const all = new TtlCache<"routes", ReadonlyMap<string, ModelRoute>>("model_routes", 10_000);

/** Called by the admin API after any change to model routes. */
export function forgetModelRoutes(): void {
	all.clear();
}

const chainColumn = z.array(z.string()).catch([]);

export function toRoute(row: ModelRouteRow): ModelRoute {
	const chain = chainColumn.parse(row.chain);
	// [name] is the plain model itself: no alias, only its policy.
	const plain = chain.length === 1 && chain[0] === row.name;
	return { name: row.name, chain: plain ? [] : chain, policy: row.policy, hashOn: row.hashOn ?? undefined };
}

/** Every route by name, from the isolate's cache: the relay reads D1 for them at most once per TTL. */
export async function routesByName(env: Env): Promise<ReadonlyMap<string, ModelRoute>> {
	const hit = all.get("routes");
	if (hit) return hit;
	const rows = await db(env).select().from(modelRoutes);
	const map = new Map(rows.map((row) => [row.name, toRoute(row)]));
	all.set("routes", map);
	return map;
}

/** Reachable models and the aliases that lead to at least one of them, for /v1/models. */
export function withAliases(reachable: readonly string[], routes: ReadonlyMap<string, ModelRoute>): string[] {
	const models = new Set(reachable);
	for (const r of routes.values()) if (r.chain.some((m) => models.has(m))) models.add(r.name);
	return [...models].sort();
}
