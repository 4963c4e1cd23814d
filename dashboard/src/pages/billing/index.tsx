/** The billing page: the operator's view of every user (balances, top-ups, codes, prices) or a user's own. */

import { useRef, useState } from "preact/hooks";
import { get } from "../../api";
import type { User } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { IdSelect } from "../../components/id-select";
import { PageTitle } from "../../components/page-title";
import { isAdmin, session } from "../../session";
import { BalanceCard } from "./balance";
import { Ledger } from "./ledger";
import { goToPriceForm, Prices } from "./prices";
import { RedeemForm } from "./redeem";
import { Redemptions } from "./redemptions";
import { t } from "./strings";
import { TopupForm } from "./topup";

/** The operator's billing: a user picker above the balance, top-up and redemption forms and ledger; codes and prices. */
function AdminBilling() {
	const users = useLoad(() => get<{ data: User[] }>("/api/users"), []);
	// The price form is below the ledger and the codes, a long way down: a button at the top takes the operator there.
	const priceModel = useRef<HTMLInputElement>(null);
	const [version, setVersion] = useState(0);
	const bump = () => setVersion((v) => v + 1);
	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<button type="button" class="secondary" onClick={() => goToPriceForm(priceModel.current)} data-testid="billing-set-price">
					{t("setPrice")}
				</button>
				<button
					type="button"
					class="secondary"
					onClick={() => {
						bump();
						users.reload();
					}}
					data-testid="billing-refresh"
				>
					{t("refresh")}
				</button>
			</PageTitle>
			<Async load={users}>{(u) => <PerUser users={u.data ?? []} version={version} onChange={bump} />}</Async>
			<Redemptions names={new Map((users.data?.data ?? []).map((u) => [u.id, u.name]))} onChange={bump} />
			<Prices modelInput={priceModel} />
		</div>
	);
}

/** What the operator sees of one user (or, with "all users", the whole ledger). */
function PerUser({ users, version, onChange }: { users: User[]; version: number; onChange: () => void }) {
	const [picked, setPicked] = useState<number | null | undefined>(undefined);
	const own = session.value?.userId ?? null;
	const fallback = users.find((u) => u.id === own)?.id ?? users[0]?.id ?? null;
	const userId = picked === undefined ? fallback : picked;
	const user = users.find((u) => u.id === userId) ?? null;
	const names = new Map(users.map((u) => [u.id, u.name]));
	return (
		<>
			{users.length === 0 ? (
				<div class="state empty">{t("noUsers")}</div>
			) : (
				<label class="inline" htmlFor="billing-user">
					{t("user")}
					<IdSelect
						id="billing-user"
						items={users}
						value={userId === null ? "" : String(userId)}
						onChange={(v) => setPicked(v === "" ? null : Number(v))}
						allLabel={t("allUsers")}
						testid="billing-user"
						style={{ width: "auto", maxWidth: "100%" }}
					/>
				</label>
			)}
			<div class="cards">
				<BalanceCard userId={userId} name={user?.name ?? ""} operatorAccount={user?.role === "admin"} version={version} />
			</div>
			<div class="grid">
				<TopupForm user={user} onDone={onChange} />
				<RedeemForm user={user} onDone={onChange} />
			</div>
			<Ledger userId={userId} version={version} names={names} />
		</>
	);
}

/** A user's own billing: balance, ledger and redeeming a code. */
function UserBilling() {
	const [version, setVersion] = useState(0);
	const bump = () => setVersion((v) => v + 1);
	const s = session.value;
	const own = s?.userId ?? null;
	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<button type="button" class="secondary" onClick={bump} data-testid="billing-refresh">
					{t("refresh")}
				</button>
			</PageTitle>
			<div class="grid">
				<div class="cards">
					<BalanceCard userId={own} name={s?.name ?? ""} operatorAccount={false} version={version} />
				</div>
				<RedeemForm user={null} onDone={bump} />
			</div>
			<Ledger userId={own} version={version} names={new Map()} />
		</div>
	);
}

export function BillingPage() {
	return isAdmin.value ? <AdminBilling /> : <UserBilling />;
}
