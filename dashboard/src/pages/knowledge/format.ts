/** Sizes and scores as the Knowledge page shows them, in the current language's conventions. */

import { locale } from "../../components/format";

/** The same symbols in every language (Intl's "byte" is spelled out even in its short form). */
const UNITS = ["B", "KB", "MB", "GB"] as const;

export function bytes(n: number): string {
	let value = n;
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(value)} ${UNITS[unit]}`;
}

/** A search score in [0, 1], to three places: enough to tell neighbouring hits apart. */
export const score = (s: number) => new Intl.NumberFormat(locale(), { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(s);

/** Seconds since the epoch, as the OpenAI API gives times. */
export const fromSeconds = (s: number) => s * 1000;
