/** The ledger: a user's (or everyone's) balance changes, filtered by kind, newest first. */

import { useState } from "preact/hooks";
import { query } from "../../api";
import { usePaged } from "../../components/hooks";
import { PagedTable } from "../../components/paged-table";
import { fmt } from "../../i18n";
import { isAdmin } from "../../session";
import { Section } from "./section";
import { t } from "./strings";

type Kind = "topup" | "usage" | "refund" | "adjustment" | "redemption";
const KINDS: Kind[] = ["topup", "usage", "refund", "adjustment", "redemption"];
const KIND_BADGE: Record<Kind, string> = { topup: "ok", redemption: "ok", refund: "ok", usage: "", adjustment: "warn" };

export interface LedgerEntry {
	id: number;
	user_id: number;
	token_id: number | null;
	kind: Kind;
	amount_usd: number;
	balance_before_usd: number | null;
	balance_after_usd: number | null;
	request_id: string | null;
	note: string | null;
	created_at: string;
}

function Signed({ usd }: { usd: number }) {
	const color = usd > 0 ? "var(--ok)" : usd < 0 ? "var(--danger)" : undefined;
	return (
		<span style={{ color }} title={String(usd)} data-testid="ledger-amount">
			{usd > 0 ? "+" : ""}
			{fmt.usd(usd)}
		</span>
	);
}

function KindBadge({ kind }: { kind: Kind }) {
	return <span class={`badge ${KIND_BADGE[kind] ?? ""}`}>{KINDS.includes(kind) ? t(`${kind}_kind`) : kind}</span>;
}

/** The request an entry charged for (linked to its usage row) and its note. */
function Detail({ entry: e }: { entry: LedgerEntry }) {
	return (
		<>
			{e.request_id ? (
				<a class="mono" href={`/usage${query({ request: e.request_id })}`} title={e.request_id}>
					{e.request_id.length > 12 ? `${e.request_id.slice(0, 12)}…` : e.request_id}
				</a>
			) : null}
			{e.request_id && e.note ? " · " : null}
			{e.note}
		</>
	);
}

export function Ledger({ userId, version, names }: { userId: number | null; version: number; names: Map<number, string> }) {
	const admin = isAdmin.value;
	const [kind, setKind] = useState<Kind | "">("");
	const paged = usePaged<LedgerEntry>(
		(cursor) => `/api/billing/ledger${query({ user_id: admin ? userId : undefined, kind, limit: 50, cursor })}`,
		[admin, userId, kind, version],
	);
	const showUser = admin && userId === null;
	return (
		<Section title={t("ledger")} testid="ledger">
			<label class="inline">
				{t("kind")}
				<select value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind | "")} data-testid="ledger-kind" style={{ width: "auto" }}>
					<option value="">{t("allKinds")}</option>
					{KINDS.map((k) => (
						<option key={k} value={k}>
							{t(`${k}_kind`)}
						</option>
					))}
				</select>
			</label>
			<PagedTable
				paged={paged}
				moreTestId="ledger-more"
				rowKey={(e) => e.id}
				rowTestId={() => "ledger-row"}
				empty={t("noEntries")}
				columns={[
					{ id: "time", head: t("time"), cell: (e) => fmt.time(e.created_at) },
					showUser && { id: "user", head: t("user"), cell: (e) => names.get(e.user_id) ?? `#${e.user_id}` },
					{ id: "kind", head: t("kind"), cell: (e) => <KindBadge kind={e.kind} /> },
					{ id: "amount", head: t("amount"), num: true, cell: (e) => <Signed usd={e.amount_usd} /> },
					{ id: "after", head: t("balanceAfter"), num: true, cell: (e) => (e.balance_after_usd === null ? t("none") : fmt.usd(e.balance_after_usd)) },
					{ id: "detail", head: t("detail"), class: "muted", style: { whiteSpace: "normal", minWidth: "12rem" }, cell: (e) => <Detail entry={e} /> },
				]}
			/>
		</Section>
	);
}
