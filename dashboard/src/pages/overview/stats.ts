/** The overview's statistics: the time ranges, the rollups' shapes, and loading them for a range. */

import { api, get, query } from "../../api";

type Period = "minute" | "hour" | "day";
export type RangeKey = "hour" | "day" | "month";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * The last hour is drawn by the minute (the API counts minutes from the raw logs); the top lists read the
 * rollups, which have hours and days only, so theirs is the hourly period of the same range.
 */
export const RANGES: Record<RangeKey, { period: Period; top: Exclude<Period, "minute">; span: number; label: "rangeHour" | "rangeDay" | "rangeMonth" }> = {
	hour: { period: "minute", top: "hour", span: HOUR, label: "rangeHour" },
	day: { period: "hour", top: "hour", span: DAY, label: "rangeDay" },
	month: { period: "day", top: "day", span: 30 * DAY, label: "rangeMonth" },
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
	const { period, top, span } = RANGES[range];
	const to = Date.now();
	const q = { from: to - span, to };
	const [series, models, channels] = await Promise.all([
		get<Timeseries>(`/api/stats/timeseries${query({ ...q, period })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "model", limit: 8 })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "channel", limit: 8 })}`),
	]);
	return { series, models, channels };
}
