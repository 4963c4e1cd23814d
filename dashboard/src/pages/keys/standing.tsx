/** The live standing of a key's limits: its rate windows, requests in flight and spend against its budgets. */

import type { Limits } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

interface RateWindow {
	limit: number;
	remaining: number;
	reset_ms: number;
}

export interface Standing {
	limits: Limits;
	in_flight: number;
	requests: RateWindow | null;
	tokens: RateWindow | null;
	spent_usd: { daily: number; monthly: number; total: number };
	held_usd: number;
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
	return (
		<div class="card stat">
			<div class="label">{label}</div>
			<div class="value">{value}</div>
			{sub && <div class="label">{sub}</div>}
		</div>
	);
}

function windowStat(w: RateWindow | null): { value: string; sub?: string } {
	if (!w) return { value: "–", sub: t("unlimited") };
	return {
		value: t("ofLimit", { used: fmt.int(Math.max(0, w.limit - w.remaining)), limit: fmt.int(w.limit) }),
		sub: t("resetsIn", { s: fmt.int(Math.ceil(w.reset_ms / 1000)) }),
	};
}

const ofBudget = (spent: number, budget: number | null) => (budget === null ? fmt.usd(spent) : t("ofLimit", { used: fmt.usd(spent), limit: fmt.usd(budget) }));

export function StandingCards({ standing: s }: { standing: Standing }) {
	const req = windowStat(s.requests);
	const tok = windowStat(s.tokens);
	return (
		<div class="stack" style={{ gap: "0.5rem" }}>
			<strong>{t("standing")}</strong>
			<div class="cards">
				<Stat label={t("requestsWindow")} value={req.value} sub={req.sub} />
				<Stat label={t("tokensWindow")} value={tok.value} sub={tok.sub} />
				<Stat
					label={t("inFlight")}
					value={
						s.limits.max_concurrency === null ? fmt.int(s.in_flight) : t("ofLimit", { used: fmt.int(s.in_flight), limit: fmt.int(s.limits.max_concurrency) })
					}
				/>
				<Stat label={t("spentToday")} value={ofBudget(s.spent_usd.daily, s.limits.budget_daily_usd)} />
				<Stat label={t("spentMonth")} value={ofBudget(s.spent_usd.monthly, s.limits.budget_monthly_usd)} />
				<Stat label={t("spentTotal")} value={ofBudget(s.spent_usd.total, s.limits.quota_usd)} />
				<Stat label={t("held")} value={fmt.usd(s.held_usd)} />
			</div>
		</div>
	);
}
