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

/** How a balance reads: a user's below zero is owed (red); the operator's own account's below zero is only what it spent. */
function Amount({ b, name, operatorAccount }: { b: Balance; name: string; operatorAccount: boolean }) {
	const admin = isAdmin.value;
	// The admin user is the operator's own account (the demo key and keys made without an owner are its): its usage is
	// charged to it like anyone's, but nobody is owed that money, so a red "-$0.000119" right after install would only alarm.
	if (operatorAccount && b.balance_usd < 0) {
		return (
			<>
				<div class="value" title={String(b.balance_usd)} data-testid="balance-value">
					{fmt.usd(-b.balance_usd)}
				</div>
				<div class="label">{t("spentBy", { name })}</div>
			</>
		);
	}
	return (
		<>
			<div class="value" title={String(b.balance_usd)} data-testid="balance-value" style={{ color: b.balance_usd < 0 ? "var(--danger)" : undefined }}>
				{fmt.usd(b.balance_usd)}
			</div>
			<div class="label">{admin ? t("balanceOf", { name }) : t("balance")}</div>
		</>
	);
}

export function BalanceCard({
	userId,
	name,
	operatorAccount,
	version,
}: {
	userId: number | null;
	name: string;
	/** The user is an admin: the operator's own account rather than a customer's. */
	operatorAccount: boolean;
	version: number;
}) {
	const admin = isAdmin.value;
	const load = useLoad<Balance | null>(
		() => (admin && userId === null ? Promise.resolve(null) : get<Balance>(`/api/billing/balance${query({ user_id: admin ? userId : undefined })}`)),
		[admin, userId, version],
	);
	return (
		<div class="card stat" data-testid="balance">
			<Async load={load}>{(b) => (b ? <Amount b={b} name={name} operatorAccount={operatorAccount} /> : <div class="muted">{t("pickUser")}</div>)}</Async>
		</div>
	);
}
