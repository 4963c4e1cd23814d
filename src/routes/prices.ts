import { and, asc, desc, eq, isNull, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { NO_LIMITS, pickLimits } from "../../durable-objects/governor-types";
import { audit } from "../audit/record";
import { toNusd } from "../billing/money";
import { forgetPrices } from "../billing/price-book";
import { db } from "../db/client";
import { channels, groupPricing, prices } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { governorStanding, limitColumns, limitsOf } from "./limit-schemas";
import {
	groupList,
	groupParam,
	groupSet,
	groupView,
	modelParam,
	priceGetQuery,
	priceList,
	priceOrHistory,
	priceSet,
	priceTarget,
	priceView,
} from "./price-schemas";
import { limitsChanged, standingOf } from "./shared/limits";
import { priceViewOf } from "./shared/price-view";

/** Every version of one price: the model's general price, or one channel's override of it. */
function versionsOf(model: string, channelId: number | undefined): SQL | undefined {
	return and(eq(prices.model, model), channelId === undefined ? isNull(prices.channelId) : eq(prices.channelId, channelId));
}

/** A price version as its audit entries show it: the amounts, not the version's id and dates, so a diff shows what changed. */
function priceAudit(row: typeof prices.$inferSelect): Record<string, unknown> {
	const { id, valid_from, valid_to, ...shown } = priceViewOf(row);
	return shown;
}

const priceObject = (model: string, channelId: number | undefined) => (channelId === undefined ? model : `${model}@${channelId}`);

const inForce = (model: string, channelId: number | undefined) => and(versionsOf(model, channelId), isNull(prices.validTo));

function noPrice(model: string, channelId: number | undefined): GatewayError {
	const on = channelId === undefined ? "" : ` on channel ${channelId}`;
	return new GatewayError("not_found", `Model '${model}' has no price${on}`);
}

/** Prices are versioned: a change closes the version in force and opens a new one, so usage keeps naming what it paid. */
export const priceRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const rows = await db(c.env).select().from(prices).where(isNull(prices.validTo)).orderBy(asc(prices.model), asc(prices.channelId));
		return c.json({ data: rows.map(priceViewOf) });
	})
	.get("/:model", valid("param", modelParam), valid("query", priceGetQuery), async (c) => {
		const { model } = c.req.valid("param");
		const { channel_id: channelId, history } = c.req.valid("query");
		const d = db(c.env);
		if (history === "true") {
			const rows = await d.select().from(prices).where(versionsOf(model, channelId)).orderBy(desc(prices.id));
			if (rows.length === 0) throw noPrice(model, channelId);
			return c.json({ data: rows.map(priceViewOf) });
		}
		const [row] = await d.select().from(prices).where(inForce(model, channelId)).limit(1);
		if (!row) throw noPrice(model, channelId);
		return c.json(priceViewOf(row));
	})
	.put("/:model", valid("param", modelParam), valid("json", priceSet), async (c) => {
		const { model } = c.req.valid("param");
		const input = c.req.valid("json");
		const channelId = input.channel_id ?? undefined;
		const d = db(c.env);
		if (channelId !== undefined) {
			const [channel] = await d.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).limit(1);
			if (!channel) throw new GatewayError("not_found", `Channel ${channelId} does not exist`, { param: "channel_id" });
		}
		const now = Date.now();
		// One batch is one transaction, and D1 runs them one at a time: two concurrent changes leave exactly one
		// version in force (the later one), never two.
		const [[closed], [row]] = await d.batch([
			d.update(prices).set({ validTo: now }).where(inForce(model, channelId)).returning(),
			d
				.insert(prices)
				.values({
					model,
					channelId: channelId ?? null,
					inputNusdPerMtok: toNusd(input.input_usd_per_mtok),
					outputNusdPerMtok: toNusd(input.output_usd_per_mtok),
					cachedInputNusdPerMtok: input.cached_input_usd_per_mtok == null ? null : toNusd(input.cached_input_usd_per_mtok),
					cacheWriteNusdPerMtok: input.cache_write_usd_per_mtok == null ? null : toNusd(input.cache_write_usd_per_mtok),
					requestNusd: toNusd(input.request_usd ?? 0),
					unitNusd: input.unit_usd ? Object.fromEntries(Object.entries(input.unit_usd).map(([unit, usd]) => [unit, toNusd(usd)])) : null,
					validFrom: now,
				})
				.returning(),
		]);
		forgetPrices();
		if (!row) throw new Error("insert returned no row");
		audit(c, {
			action: "price.update",
			objectType: "price",
			objectId: priceObject(model, channelId),
			before: closed && priceAudit(closed),
			after: priceAudit(row),
		});
		return c.json(priceViewOf(row));
	})
	.delete("/:model", valid("param", modelParam), valid("query", priceTarget), async (c) => {
		const { model } = c.req.valid("param");
		const { channel_id: channelId } = c.req.valid("query");
		const [closed] = await db(c.env).update(prices).set({ validTo: Date.now() }).where(inForce(model, channelId)).returning();
		if (!closed) throw noPrice(model, channelId);
		forgetPrices();
		audit(c, { action: "price.delete", objectType: "price", objectId: priceObject(model, channelId), before: priceAudit(closed) });
		return c.body(null, 204);
	});

const groupViewOf = (row: typeof groupPricing.$inferSelect): z.infer<typeof groupView> => ({
	group: row.group,
	price_multiplier: row.multiplier,
	...limitsOf(row),
});

/** Price multipliers per user group; a group without one pays list prices (multiplier 1). */
export const groupRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const rows = await db(c.env).select().from(groupPricing).orderBy(asc(groupPricing.group));
		return c.json({ data: rows.map(groupViewOf) });
	})
	.put("/:group", valid("param", groupParam), valid("json", groupSet), async (c) => {
		const { group } = c.req.valid("param");
		const input = c.req.valid("json");
		const limits = limitColumns(input);
		const before = await db(c.env).select().from(groupPricing).where(eq(groupPricing.group, group)).get();
		const set = { ...(input.price_multiplier === undefined ? {} : { multiplier: input.price_multiplier }), ...limits };
		const insert = db(c.env)
			.insert(groupPricing)
			.values({ group, ...set });
		const [row] = await (Object.keys(set).length > 0
			? insert.onConflictDoUpdate({ target: groupPricing.group, set })
			: insert.onConflictDoNothing()
		).returning();
		forgetPrices();
		const current = row ?? (await db(c.env).select().from(groupPricing).where(eq(groupPricing.group, group)).get());
		if (!current) throw new Error("upsert returned no row");
		audit(c, { action: "group.update", objectType: "group", objectId: group, before: before && groupViewOf(before), after: groupViewOf(current) });
		if (Object.keys(limits).length > 0) await limitsChanged(c.env, { kind: "group", id: group }, pickLimits(current));
		return c.json(groupViewOf(current));
	})
	.get("/:group/limits", valid("param", groupParam), async (c) => {
		const { group } = c.req.valid("param");
		const row = await db(c.env).select().from(groupPricing).where(eq(groupPricing.group, group)).get();
		return c.json(await standingOf(c.env, { kind: "group", id: group }, row ? pickLimits(row) : NO_LIMITS));
	});

export const priceDocs: OperationDoc[] = [
	{ method: "get", path: "/api/prices", summary: "The prices in force, general and per channel", tag: "Prices", auth: "user", response: priceList },
	{
		method: "get",
		path: "/api/prices/{model}",
		summary: "A model's price in force (or a channel's override of it); with history=true, every version of it",
		tag: "Prices",
		auth: "user",
		query: priceGetQuery,
		response: priceOrHistory,
		errors: [404],
	},
	{
		method: "put",
		path: "/api/prices/{model}",
		summary: "Set a model's price: closes the version in force and opens a new one, in force at once",
		tag: "Prices",
		auth: "admin",
		body: priceSet,
		response: priceView,
		errors: [403, 404],
	},
	{
		method: "delete",
		path: "/api/prices/{model}",
		summary: "Close a model's price (or a channel's override); usage keeps the version it was charged at",
		tag: "Prices",
		auth: "admin",
		query: priceTarget,
		errors: [204, 403, 404],
	},
	{ method: "get", path: "/api/groups", summary: "Price multipliers per user group", tag: "Prices", auth: "admin", response: groupList },
	{
		method: "put",
		path: "/api/groups/{group}",
		summary: "Set a group's price multiplier (1 is list price) and the limits its users share",
		tag: "Prices",
		auth: "admin",
		body: groupSet,
		response: groupView,
	},
	{
		method: "get",
		path: "/api/groups/{group}/limits",
		summary: "A group's live rate-limit windows, requests in flight and spend against its budgets (all its users together)",
		tag: "Prices",
		auth: "admin",
		response: governorStanding,
	},
];
