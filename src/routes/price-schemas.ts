import { z } from "zod";
import { UNIT_NAME } from "../billing/units";
import { limitFields, limitsView } from "./limit-schemas";

export const modelParam = z.object({ model: z.string().trim().min(1).max(200) });

/** Which price of the model: a channel's own (override) price, or the model's general price when omitted. */
export const priceTarget = z.object({ channel_id: z.coerce.number().int().positive().optional() });

export const priceGetQuery = priceTarget.extend({
	history: z.enum(["true", "false"]).optional().describe("true: every version of the price, newest first, as {data: [...]}"),
});

const usdPerMtok = z.number().min(0).max(1_000_000);

export const priceSet = z.object({
	input_usd_per_mtok: usdPerMtok,
	output_usd_per_mtok: usdPerMtok,
	/** Cache reads; omitted or null: charged as ordinary input. */
	cached_input_usd_per_mtok: usdPerMtok.nullish(),
	/** Cache writes; omitted or null: charged as ordinary input. */
	cache_write_usd_per_mtok: usdPerMtok.nullish(),
	/** A fixed price per request, on top of the tokens. */
	request_usd: z.number().min(0).max(1_000).optional(),
	/**
	 * USD per unit other than tokens: `image` (per image), `image:<size>` and `image:<size>:<quality>` (the most
	 * specific applies), `audio_second` (transcriptions, translations), `character` (speech input).
	 */
	unit_usd: z
		.record(z.string().regex(UNIT_NAME, "a unit is image, image:<size>, image:<size>:<quality>, audio_second or character"), z.number().min(0).max(1_000))
		.nullish(),
	/** Set a channel's own price for the model instead of the model's general price. */
	channel_id: z.number().int().positive().nullish(),
});

export const priceView = z.object({
	id: z.number(),
	model: z.string(),
	channel_id: z.number().nullable(),
	input_usd_per_mtok: z.number(),
	output_usd_per_mtok: z.number(),
	cached_input_usd_per_mtok: z.number().nullable(),
	cache_write_usd_per_mtok: z.number().nullable(),
	request_usd: z.number(),
	unit_usd: z.record(z.string(), z.number()).nullable(),
	valid_from: z.string(),
	/** null while the version is in force. */
	valid_to: z.string().nullable(),
});

export const priceList = z.object({ data: z.array(priceView) });

export const priceOrHistory = z.union([priceView, priceList]);

export const groupParam = z.object({ group: z.string().trim().min(1).max(100) });

export const groupSet = z
	.object({
		/** 1 is list price; a new group starts at 1. */
		price_multiplier: z.number().min(0).max(1_000).optional(),
		/** Limits shared by all the group's users together; each null or omitted for none. */
		...limitFields,
	})
	.refine(
		(o) => Object.values(o).some((v) => v !== undefined),
		"Set price_multiplier or a limit (rpm, tpm, max_concurrency, budget_daily_usd, budget_monthly_usd, quota_usd)",
	);

export const groupView = z.object({ group: z.string(), price_multiplier: z.number(), ...limitsView.shape });

export const groupList = z.object({ data: z.array(groupView) });
