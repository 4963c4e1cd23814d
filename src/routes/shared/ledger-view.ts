import type { z } from "zod";
import type { LedgerRow } from "../../billing/ledger";
import { toUsd } from "../../billing/money";
import type { ledgerEntryView } from "../billing-schemas";

const usdOrNull = (nusd: number | null) => (nusd === null ? null : toUsd(nusd));

export function ledgerView(row: LedgerRow): z.infer<typeof ledgerEntryView> {
	return {
		id: row.id,
		user_id: row.userId,
		token_id: row.tokenId,
		kind: row.kind,
		amount_usd: toUsd(row.amountNusd),
		balance_before_usd: usdOrNull(row.balanceBeforeNusd),
		balance_after_usd: usdOrNull(row.balanceAfterNusd),
		request_id: row.requestId,
		note: row.note,
		created_at: new Date(row.createdAt).toISOString(),
	};
}
