/** The operator's top-up form: credits the picked user's balance, once per submission however often it is retried. */

import { useEffect, useRef } from "preact/hooks";
import { api } from "../../api";
import type { User } from "../../components/api-types";
import { Field } from "../../components/field";
import { fmt } from "../../i18n";
import type { LedgerEntry } from "./ledger";
import { Section, SubmitRow } from "./section";
import { t } from "./strings";
import { num, useSubmit } from "./submit";

/** crypto.randomUUID exists only in secure contexts (https, localhost); the dashboard may be served over plain http. */
function uuid(): string {
	if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export function TopupForm({ user, onDone }: { user: User | null; onDone: () => void }) {
	const { busy, msg, setMsg, run } = useSubmit();
	// One key per submission, kept until it succeeds: a retry after a lost answer credits once; any edit starts a new one.
	const key = useRef<string | null>(null);
	useEffect(() => {
		key.current = null;
	}, [user?.id]);
	const submit = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const data = new FormData(form);
		const amount = num(data, "amount");
		if (!user) return;
		if (!(amount > 0)) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		const note = String(data.get("note") ?? "").trim();
		key.current ??= uuid();
		const idempotencyKey = key.current;
		void run(async () => {
			const entry = await api<LedgerEntry>("POST", "/api/billing/topup", {
				user_id: user.id,
				amount_usd: amount,
				...(note ? { note } : {}),
				idempotency_key: idempotencyKey,
			});
			key.current = null;
			form.reset();
			onDone();
			return t("toppedUp", { amount: fmt.usd(entry.amount_usd), balance: entry.balance_after_usd === null ? t("none") : fmt.usd(entry.balance_after_usd) });
		});
	};
	return (
		<Section title={t("topup")} hint={user ? t("topupHint", { name: user.name }) : t("topupNeedsUser")} testid="topup">
			<form
				class="stack"
				onSubmit={submit}
				onInput={() => {
					key.current = null;
				}}
			>
				<div class="form-grid">
					<Field label={t("amountUsd")}>
						<input name="amount" type="number" min="0" step="any" required inputMode="decimal" data-testid="topup-amount" />
					</Field>
					<Field label={t("note")}>
						<input name="note" maxLength={500} data-testid="topup-note" />
					</Field>
				</div>
				<SubmitRow busy={busy} label={t("submit")} disabled={!user} testid="topup-submit" msg={msg} msgTestId="topup-message" />
			</form>
		</Section>
	);
}
