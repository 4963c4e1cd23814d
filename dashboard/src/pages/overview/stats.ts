/** The overview's statistics: the time ranges, the rollups' shapes, and loading them for a range. */

import { api, get, query } from "../../api";
import type { Token } from "../../components/api-types";

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
	/** Requests the response cache answered, and what they saved. */
	cache_hits: number;
	saved_usd: number;
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
	/** The response cache's panel: more models than the top list, and the keys, with the keys' names. */
	cacheModels: Top;
	cacheKeys: Top;
	keyNames: Map<number, string>;
}

/** Rows of the response cache's tables: the keys and models it answered most often in the range. */
const CACHE_ROWS = 10;

export async function loadStats(range: RangeKey, admin: boolean): Promise<Stats> {
	// The rollups of the current hour and day lag the raw usage; the operator may recompute them first. A failure
	// (an older backend, a transient error) only means slightly stale numbers, so it is not shown.
	if (admin) await api("POST", "/api/stats/refresh").catch(() => undefined);
	const { period, top, span } = RANGES[range];
	const to = Date.now();
	const q = { from: to - span, to };
	const [series, models, channels, cacheModels, cacheKeys, keys] = await Promise.all([
		get<Timeseries>(`/api/stats/timeseries${query({ ...q, period })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "model", limit: 8 })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "channel", limit: 8 })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "model", limit: CACHE_ROWS, order: "cache_hits" })}`),
		get<Top>(`/api/stats/top${query({ ...q, period: top, by: "token", limit: CACHE_ROWS, order: "cache_hits" })}`),
		get<{ data: Token[] }>("/api/tokens"),
	]);
	return { series, models, channels, cacheModels, cacheKeys, keyNames: new Map(keys.data.map((k) => [k.id, k.name])) };
}
