export const PERIODS = ["hour", "day"] as const;

export type Period = (typeof PERIODS)[number];

/** Rollup buckets are whole UTC hours and days; epoch milliseconds know no time zones or leap seconds. */
export const PERIOD_MS = { hour: 3_600_000, day: 86_400_000 } as const satisfies Record<Period, number>;

/** The start of the bucket that holds `at`. */
export function bucketStart(period: Period, at: number): number {
	const size = PERIOD_MS[period];
	return Math.floor(at / size) * size;
}

/** The end of the bucket that holds `at - 1`: `at` itself when it is a bucket boundary. */
export function bucketEnd(period: Period, at: number): number {
	const size = PERIOD_MS[period];
	return Math.ceil(at / size) * size;
}
