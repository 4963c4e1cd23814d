import type { z } from "zod";
import { toUsd } from "../../billing/money";
import type { prices } from "../../db/schema";
import type { priceView } from "../price-schemas";

type PriceRow = typeof prices.$inferSelect;

const usdOrNull = (nusd: number | null) => (nusd === null ? null : toUsd(nusd));

export function priceViewOf(row: PriceRow): z.infer<typeof priceView> {
	return {
		id: row.id,
		model: row.model,
		channel_id: row.channelId,
		input_usd_per_mtok: toUsd(row.inputNusdPerMtok),
		output_usd_per_mtok: toUsd(row.outputNusdPerMtok),
		cached_input_usd_per_mtok: usdOrNull(row.cachedInputNusdPerMtok),
		cache_write_usd_per_mtok: usdOrNull(row.cacheWriteNusdPerMtok),
		request_usd: toUsd(row.requestNusd),
		unit_usd: row.unitNusd === null ? null : Object.fromEntries(Object.entries(row.unitNusd).map(([unit, nusd]) => [unit, toUsd(nusd)])),
		valid_from: new Date(row.validFrom).toISOString(),
		valid_to: row.validTo === null ? null : new Date(row.validTo).toISOString(),
	};
}
