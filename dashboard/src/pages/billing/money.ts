/** Ledger amounts and balances in one format. */

import { locale } from "../../components/format";

/**
 * Cents from a cent up; below that, two significant digits: one request's charge is often a fraction of a cent,
 * which a cents-only format (or a fixed six decimals) would show as "-$0.00" or with a different number of decimals
 * on every line. The exact amount is in the element's title.
 */
export function money(usd: number): string {
	const small = usd !== 0 && Math.abs(usd) < 0.01;
	return new Intl.NumberFormat(locale(), {
		style: "currency",
		currency: "USD",
		...(small ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
	}).format(usd);
}
