/** The stat cards over a range: requests, errors, tokens, cost and latency percentiles. */

import { fmt } from "../../i18n";
import { pct } from "./format";
import type { Point, Totals } from "./stats";
import { t } from "./strings";

interface Summary extends Totals {
	p50: number | null;
	p95: number | null;
}

/** Sums the buckets; a range's percentiles are the request-weighted mean of its buckets' (exact ones are not in the rollups). */
export function summarize(points: Point[]): Summary {
	const sum: Summary = {
		requests: 0,
		errors: 0,
		prompt_tokens: 0,
		completion_tokens: 0,
		cached_tokens: 0,
		cost_usd: 0,
		cache_hits: 0,
		saved_usd: 0,
		p50: null,
		p95: null,
	};
	let w50 = 0;
	let w95 = 0;
	let s50 = 0;
	let s95 = 0;
	for (const p of points) {
		sum.requests += p.requests;
		sum.errors += p.errors;
		sum.prompt_tokens += p.prompt_tokens;
		sum.completion_tokens += p.completion_tokens;
		sum.cached_tokens += p.cached_tokens;
		sum.cost_usd += p.cost_usd;
		sum.cache_hits += p.cache_hits;
		sum.saved_usd += p.saved_usd;
		if (p.latency_p50_ms !== null) {
			s50 += p.latency_p50_ms * p.requests;
			w50 += p.requests;
		}
		if (p.latency_p95_ms !== null) {
			s95 += p.latency_p95_ms * p.requests;
			w95 += p.requests;
		}
	}
	sum.p50 = w50 > 0 ? s50 / w50 : null;
	sum.p95 = w95 > 0 ? s95 / w95 : null;
	return sum;
}

function Stat({ id, label, value, note }: { id: string; label: string; value: string; note?: string }) {
	return (
		<div class="card stat" data-testid={`stat-${id}`}>
			<div class="value">{value}</div>
			<div class="label">{label}</div>
			{note && (
				<div class="muted" style={{ fontSize: "0.8rem" }}>
					{note}
				</div>
			)}
		</div>
	);
}

export function StatCards({ sum }: { sum: Summary }) {
	return (
		<div class="cards">
			<Stat id="requests" label={t("requests")} value={fmt.int(sum.requests)} />
			<Stat
				id="errors"
				label={t("errors")}
				value={fmt.int(sum.errors)}
				note={sum.requests > 0 ? t("errorRate", { rate: pct(sum.errors / sum.requests) }) : undefined}
			/>
			<Stat
				id="tokens"
				label={t("tokens")}
				value={fmt.int(sum.prompt_tokens + sum.completion_tokens)}
				note={t("tokensSplit", { input: fmt.int(sum.prompt_tokens), output: fmt.int(sum.completion_tokens) })}
			/>
			<Stat id="cost" label={t("cost")} value={fmt.usd(sum.cost_usd)} />
			<Stat id="p50" label={t("p50")} value={fmt.ms(sum.p50)} note={sum.p50 === null ? t("noLatency") : t("approximate")} />
			<Stat id="p95" label={t("p95")} value={fmt.ms(sum.p95)} note={sum.p95 === null ? t("noLatency") : t("approximate")} />
		</div>
	);
}
