import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { forgetModelRoutes, toRoute } from "../channels/model-routes";
import { db } from "../db/client";
import { type ModelRouteRow, modelRoutes } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { routeList, routeParam, routeSet, routeView } from "./model-schemas";

function view(row: ModelRouteRow): z.infer<typeof routeView> {
	const route = toRoute(row);
	return {
		name: route.name,
		alias: route.chain.length > 0,
		chain: [...route.chain],
		policy: route.policy,
		hash_on: route.hashOn ?? null,
		created_at: new Date(row.createdAt).toISOString(),
		updated_at: new Date(row.updatedAt).toISOString(),
	};
}

/** A route as its audit entries show it: what it does, without its timestamps. */
function routeAudit(row: ModelRouteRow): Record<string, unknown> {
	const { created_at, updated_at, ...shown } = view(row);
	return shown;
}

const invalid = (message: string, param: string) => new GatewayError("invalid_request", message, { param });

/**
 * A chain names plain models only, so that resolving an alias is one lookup and never a loop: an alias may not
 * name itself among other models, nor another alias, nor become an alias while it is in another's chain.
 */
function checkChain(name: string, chain: readonly string[], others: readonly ModelRouteRow[]): void {
	if (chain.length > 1 && chain.includes(name)) throw invalid(`Alias '${name}' may not name itself in its chain`, "chain");
	const aliases = new Map(others.map(toRoute).map((r) => [r.name, r]));
	const nested = chain.find((m) => m !== name && (aliases.get(m)?.chain.length ?? 0) > 0);
	if (nested) throw invalid(`'${nested}' is itself an alias; a chain names plain models`, "chain");
	const holder = [...aliases.values()].find((r) => r.name !== name && r.chain.includes(name));
	if (holder && chain.length > 0 && chain[0] !== name) throw invalid(`'${name}' is in the chain of alias '${holder.name}'; chains do not nest`, "chain");
}

/** Model aliases and routing policies (src/channels/model-routes.ts); every change is seen by this isolate at once. */
export const modelRouteRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const rows = await db(c.env).select().from(modelRoutes).orderBy(asc(modelRoutes.name));
		return c.json({ data: rows.map(view) });
	})
	.put("/:name", valid("param", routeParam), valid("json", routeSet), async (c) => {
		const { name } = c.req.valid("param");
		const input = c.req.valid("json");
		const d = db(c.env);
		const routes = await d.select().from(modelRoutes);
		checkChain(name, input.chain, routes);
		const old = routes.find((r) => r.name === name);
		const chain = input.chain.length === 1 && input.chain[0] === name ? [] : input.chain;
		const hashOn = input.policy === "consistent_hash" ? (input.hash_on ?? "user") : null;
		const set = { chain, policy: input.policy, hashOn, updatedAt: Date.now() };
		const [row] = await d
			.insert(modelRoutes)
			.values({ name, ...set })
			.onConflictDoUpdate({ target: modelRoutes.name, set })
			.returning();
		forgetModelRoutes();
		if (!row) throw new Error("upsert returned no row");
		audit(c, { action: "model_route.update", objectType: "model_route", objectId: name, before: old && routeAudit(old), after: routeAudit(row) });
		return c.json(view(row));
	})
	.delete("/:name", valid("param", routeParam), async (c) => {
		const { name } = c.req.valid("param");
		const [gone] = await db(c.env).delete(modelRoutes).where(eq(modelRoutes.name, name)).returning();
		if (!gone) throw new GatewayError("not_found", `Model '${name}' has no alias or policy`);
		forgetModelRoutes();
		audit(c, { action: "model_route.delete", objectType: "model_route", objectId: name, before: routeAudit(gone) });
		return c.body(null, 204);
	});

export const modelRouteDocs: OperationDoc[] = [
	{ method: "get", path: "/api/models", summary: "The model aliases and routing policies", tag: "Models", auth: "admin", response: routeList },
	{
		method: "put",
		path: "/api/models/{name}",
		summary: "Make a name an alias of a chain of models (tried in order), or set a model's routing policy",
		tag: "Models",
		auth: "admin",
		body: routeSet,
		response: routeView,
	},
	{ method: "delete", path: "/api/models/{name}", summary: "Remove an alias or a model's policy", tag: "Models", auth: "admin", errors: [204, 404] },
];
