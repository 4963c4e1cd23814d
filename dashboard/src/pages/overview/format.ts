/** The overview's number formats: percentages, and the compact ones of the charts' axes. */

import { locale } from "../../components/format";
import { fmt } from "../../i18n";

export const pct = (rate: number) => new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(rate);

// The charts' axes are narrow: compact numbers there (the cards above carry the exact totals).
export const fmtCount = (v: number) => new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 1 }).format(v);
export const fmtUsd = (v: number) => fmt.usdCompact(v);
export const fmtMs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : fmt.ms(v));
