/** The form that redeems a code: for oneself, or, for the operator, for the picked user. */

import { api } from "../../api";
import type { User } from "../../components/api-types";
import { Field } from "../../components/field";
import { fmt } from "../../i18n";
import { isAdmin } from "../../session";
import type { LedgerEntry } from "./ledger";
import { Section, SubmitRow } from "./section";
import { t } from "./strings";
import { useSubmit } from "./submit";

export function RedeemForm({ user, onDone }: { user: User | null; onDone: () => void }) {
	const admin = isAdmin.value;
	const { busy, msg, run } = useSubmit();
	const needsUser = admin && !user;
	const submit = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const code = String(new FormData(form).get("code") ?? "").trim();
		if (!code || needsUser) return;
		void run(async () => {
			const entry = await api<LedgerEntry>("POST", "/api/redemptions/redeem", { code, ...(admin && user ? { user_id: user.id } : {}) });
			form.reset();
			onDone();
			return t("redeemed", { amount: fmt.usd(entry.amount_usd), balance: entry.balance_after_usd === null ? t("none") : fmt.usd(entry.balance_after_usd) });
		});
	};
	const hint = needsUser ? t("redeemNeedsUser") : admin && user ? `${t("redeemHint")} ${t("redeemFor", { name: user.name })}` : t("redeemHint");
	return (
		<Section title={t("redeem")} hint={hint} testid="redeem">
			<form class="stack" onSubmit={submit}>
				<Field label={t("code")}>
					<input name="code" required autoComplete="off" spellcheck={false} placeholder="RC-XXXXX-XXXXX-XXXXX-XXXXX" class="mono" data-testid="redeem-code" />
				</Field>
				<SubmitRow busy={busy} label={t("redeemSubmit")} disabled={needsUser} testid="redeem-submit" msg={msg} msgTestId="redeem-message" />
			</form>
		</Section>
	);
}
