/** The balance card: the signed-in user's balance, or the operator's pick's. */

import { get, query } from "../../api";
import { Async, useLoad } from "../../components/async";
import { fmt } from "../../i18n";
import { isAdmin } from "../../session";
import { t } from "./strings";

interface Balance {
	user_id: number;
	balance_usd: number;
}

export function BalanceCard({ userId, name, version }: { userId: number | null; name: string; version: number }) {
	const admin = isAdmin.value;
	const load = useLoad<Balance | null>(
		() => (admin && userId === null ? Promise.resolve(null) : get<Balance>(`/api/billing/balance${query({ user_id: admin ? userId : undefined })}`)),
		[admin, userId, version],
	);
	return (
		<div class="card stat" data-testid="balance">
			<Async load={load}>
				{(b) =>
					b ? (
						<>
							<div class="value" title={String(b.balance_usd)} style={{ color: b.balance_usd < 0 ? "var(--danger)" : undefined }}>
								{fmt.usd(b.balance_usd)}
							</div>
							<div class="label">{admin ? t("balanceOf", { name }) : t("balance")}</div>
						</>
					) : (
						<div class="muted">{t("pickUser")}</div>
					)
				}
			</Async>
		</div>
	);
}
