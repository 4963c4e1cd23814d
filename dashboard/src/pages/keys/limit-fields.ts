/** A key's numeric limits as the form and the table show them, and how the operator's bound on each reads. */

import type { Limits, OperatorLimits } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

export const LIMIT_FIELDS = [
	{ name: "rpm", label: "fRpm", summary: "rpm", usd: false },
	{ name: "tpm", label: "fTpm", summary: "tpm", usd: false },
	{ name: "max_concurrency", label: "fConcurrency", summary: "concurrency", usd: false },
	{ name: "budget_daily_usd", label: "fDaily", summary: "daily", usd: true },
	{ name: "budget_monthly_usd", label: "fMonthly", summary: "monthly", usd: true },
	{ name: "quota_usd", label: "fQuota", summary: "quota", usd: true },
] as const satisfies readonly { name: keyof Limits & keyof OperatorLimits; label: string; summary: string; usd: boolean }[];

export type LimitField = (typeof LIMIT_FIELDS)[number];

export const limitValue = (f: LimitField, n: number) => (f.usd ? fmt.usd(n) : fmt.int(n));

/** What the operator's bound on a field allows, e.g. "Set by the operator: at most 600"; undefined where they set none. */
export function boundNote(bounds: OperatorLimits, field: LimitField["name"] | "models" | "expires_at"): string | undefined {
	if (field === "models") return bounds.models && t("boundModels", { models: bounds.models.join(", ") });
	if (field === "expires_at") return bounds.expires_at && t("boundExpiry", { time: fmt.time(bounds.expires_at) });
	const bound = bounds[field];
	const spec = LIMIT_FIELDS.find((f) => f.name === field);
	return bound === undefined || !spec ? undefined : t("boundMax", { max: limitValue(spec, bound) });
}
