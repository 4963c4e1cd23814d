/** The overview's statistics: the time ranges, the rollups' shapes, and loading them for a range. */

import { api, get, query } from "../../api";

type Period = "hour" | "day";
export type RangeKey = "hour" | "day" | "month";

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The rollups have hour and day buckets only: the last hour spans the current and the previous hourly bucket. */
export const RANGES: Record<RangeKey, { period: Period; span: number; label: "rangeHour" | "rangeDay" | "rangeMonth" }> = {
	hour: { period: "hour", span: HOUR, label: "rangeHour" },
	day: { period: "hour", span: DAY, label: "rangeDay" },
	month: { period: "day", span: 30 * DAY, label: "rangeMonth" },
};

export interface Totals {
	requests: number;
	errors: number;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_usd: number;
}

export interface Point extends Totals {
	bucket_start: string;
	latency_p50_ms: number | null;
	latency_p95_ms: number | null;
}

export interface Timeseries {
	period: Period;
	from: string;
	to: string;
	percentiles: "exact" | "approximate";
	data: Point[];
}

export interface TopRow extends Totals {
	key: string | number;
}

export interface Top {
	data: TopRow[];
}

export interface Stats {
	series: Timeseries;
	models: Top;
	channels: Top;
}

export async function loadStats(range: RangeKey, admin: boolean): Promise<Stats> {
	// The rollups of the current hour and day lag the raw usage; the operator may recompute them first. A failure
	// (an older backend, a transient error) only means slightly stale numbers, so it is not shown.
	if (admin) await api("POST", "/api/stats/refresh").catch(() => undefined);
	const { period, span } = RANGES[range];
	const to = Date.now();
	const q = { period, from: to - span, to };
	const [series, models, channels] = await Promise.all([
		get<Timeseries>(`/api/stats/timeseries${query(q)}`),
		get<Top>(`/api/stats/top${query({ ...q, by: "model", limit: 8 })}`),
		get<Top>(`/api/stats/top${query({ ...q, by: "channel", limit: 8 })}`),
	]);
	return { series, models, channels };
}
