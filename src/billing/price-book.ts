import { isNull } from "drizzle-orm";
import { db } from "../db/client";
import { groupPricing, prices } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";
import type { Price } from "./cost";

/** The prices in force, by model (and by channel for overrides), and the group multipliers. */
export interface PriceBook {
	/** The price of `model` on `channelId`: the channel's own if it has one, else the model's; undefined if unpriced. */
	priceFor(model: string, channelId: number | null): Price | undefined;
	/** Whether `model` has a general price (a channel's override alone admits it only on that channel). */
	isPriced(model: string): boolean;
	multiplier(group: string): number;
}

const cache = new TtlCache<"book", PriceBook>("prices", 10_000);

/** Called by the admin API after any change to prices or multipliers. */
export function forgetPrices(): void {
	cache.clear();
}

export function priceBook(rows: (typeof prices.$inferSelect)[], groups: { group: string; multiplier: number }[]): PriceBook {
	const general = new Map<string, Price>();
	const byChannel = new Map<string, Price>();
	for (const r of rows) {
		const price: Price = {
			id: r.id,
			inputPerMtok: r.inputNusdPerMtok,
			outputPerMtok: r.outputNusdPerMtok,
			cachedInputPerMtok: r.cachedInputNusdPerMtok,
			cacheWritePerMtok: r.cacheWriteNusdPerMtok,
			perRequest: r.requestNusd,
			perUnit: r.unitNusd,
		};
		if (r.channelId === null) general.set(r.model, price);
		else byChannel.set(`${r.channelId}\u0000${r.model}`, price);
	}
	const multipliers = new Map(groups.map((g) => [g.group, g.multiplier]));
	return {
		priceFor: (model, channelId) => (channelId !== null ? byChannel.get(`${channelId}\u0000${model}`) : undefined) ?? general.get(model),
		isPriced: (model) => general.has(model),
		multiplier: (group) => multipliers.get(group) ?? 1,
	};
}

/** The models a channel lists that have no price there: neither their own nor the channel's override. */
export function unpricedOn(book: PriceBook, channelId: number, models: readonly string[]): string[] {
	return models.filter((model) => book.priceFor(model, channelId) === undefined);
}

/** The price book of this isolate, read from D1 at most every 10 s: pricing costs the relay no round trip. */
export async function currentPrices(env: Env): Promise<PriceBook> {
	const hit = cache.get("book");
	if (hit) return hit;
	const d = db(env);
	const [rows, groups] = await Promise.all([d.select().from(prices).where(isNull(prices.validTo)), d.select().from(groupPricing)]);
	const book = priceBook(rows, groups);
	cache.set("book", book);
	return book;
}
