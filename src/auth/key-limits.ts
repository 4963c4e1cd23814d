import { z } from "zod";

/**
 * Which limits on a key are the operator's. The operator's bounds are kept beside the key's effective limits: a
 * user may set their own key's limits freely where the operator set none, and within the operator's bound where
 * they did (tighter, or back up to the bound, never past it and never cleared). The user's and group's limits
 * are the operator's alone and are enforced by their own governors, whatever a key says.
 */
const count = z.number().int().positive();
export const keyBounds = z
	.object({
		rpm: count,
		tpm: count,
		maxConcurrency: count,
		budgetDailyNusd: z.number().int().nonnegative(),
		budgetMonthlyNusd: z.number().int().nonnegative(),
		quotaNusd: z.number().int().nonnegative(),
		models: z.array(z.string()),
		expiresAt: z.number().int(),
	})
	.partial();

export type KeyBounds = z.infer<typeof keyBounds>;
export type BoundField = keyof KeyBounds;
/** A write to a key's limits: a value, null for none, or absent for unchanged. */
export type KeyLimitChange = { [F in BoundField]?: KeyBounds[F] | null };

/** The API's name for each field, for errors and views. */
export const apiName: Record<BoundField, string> = {
	rpm: "rpm",
	tpm: "tpm",
	maxConcurrency: "max_concurrency",
	budgetDailyNusd: "budget_daily_usd",
	budgetMonthlyNusd: "budget_monthly_usd",
	quotaNusd: "quota_usd",
	models: "models",
	expiresAt: "expires_at",
};

const fields = Object.keys(apiName) as BoundField[];

/** A stored bounds column, read defensively: a row written by hand with a bad member loses only that member. */
export function readBounds(stored: unknown): KeyBounds {
	const parsed = keyBounds.safeParse(stored);
	if (parsed.success) return parsed.data;
	const object = z.record(z.string(), z.unknown()).safeParse(stored);
	if (!object.success) return {};
	return Object.fromEntries(fields.flatMap((f) => (keyBounds.shape[f].safeParse(object.data[f]).success ? [[f, object.data[f]]] : [])));
}

/** The operator's bounds after the operator writes `change`: a value becomes the bound, null lifts it. */
export function boundsAfterOperator(bounds: KeyBounds, change: KeyLimitChange): KeyBounds {
	const next: Record<string, unknown> = { ...bounds };
	for (const f of fields) {
		const value = change[f];
		if (value === null) delete next[f];
		else if (value !== undefined) next[f] = value;
	}
	return keyBounds.parse(next);
}

function within(field: BoundField, value: unknown, bound: unknown): boolean {
	if (value === null || value === undefined) return false;
	if (field === "models") return Array.isArray(value) && Array.isArray(bound) && value.every((m) => bound.includes(m));
	return typeof value === "number" && typeof bound === "number" && value <= bound;
}

/** The first field of a user's change that would loosen or clear one of the operator's bounds; undefined when none does. */
export function loosenedBound(bounds: KeyBounds, change: KeyLimitChange): BoundField | undefined {
	return fields.find((f) => change[f] !== undefined && bounds[f] !== undefined && !within(f, change[f], bounds[f]));
}
