/** The periods the rollups are kept in. */
export const PERIODS = ["hour", "day"] as const;

export type Period = (typeof PERIODS)[number];

/** The periods a time series may be asked in: minutes have no rollups, they are counted from the raw logs (minutes.ts). */
export const SERIES_PERIODS = ["minute", ...PERIODS] as const;

export type SeriesPeriod = (typeof SERIES_PERIODS)[number];

/** Buckets are whole UTC minutes, hours and days; epoch milliseconds know no time zones or leap seconds. */
export const PERIOD_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const satisfies Record<SeriesPeriod, number>;

/** The start of the bucket that holds `at`. */
export function bucketStart(period: SeriesPeriod, at: number): number {
	const size = PERIOD_MS[period];
	return Math.floor(at / size) * size;
}

/** The end of the bucket that holds `at - 1`: `at` itself when it is a bucket boundary. */
export function bucketEnd(period: SeriesPeriod, at: number): number {
	const size = PERIOD_MS[period];
	return Math.ceil(at / size) * size;
}
