/** The ledger: a user's (or everyone's) balance changes, filtered by kind, newest first. */

import { useState } from "preact/hooks";
import { query } from "../../api";
import { Async } from "../../components/async";
import { usePaged } from "../../components/hooks";
import { fmt } from "../../i18n";
import { isAdmin } from "../../session";
import { MoreButton, Section } from "./section";
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
		<span style={{ color }} title={String(usd)}>
			{usd > 0 ? "+" : ""}
			{fmt.usd(usd)}
		</span>
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
			<Async load={paged.first}>
				{() =>
					paged.rows.length === 0 ? (
						<div class="state empty">{t("noEntries")}</div>
					) : (
						<>
							<div class="table-wrap">
								<table>
									<thead>
										<tr>
											<th>{t("time")}</th>
											{showUser && <th>{t("user")}</th>}
											<th>{t("kind")}</th>
											<th class="num">{t("amount")}</th>
											<th class="num">{t("balanceAfter")}</th>
											<th>{t("detail")}</th>
										</tr>
									</thead>
									<tbody>
										{paged.rows.map((e) => (
											<tr key={e.id} data-testid="ledger-row">
												<td>{fmt.time(e.created_at)}</td>
												{showUser && <td>{names.get(e.user_id) ?? `#${e.user_id}`}</td>}
												<td>
													<span class={`badge ${KIND_BADGE[e.kind] ?? ""}`}>{KINDS.includes(e.kind) ? t(`${e.kind}_kind`) : e.kind}</span>
												</td>
												<td class="num">
													<Signed usd={e.amount_usd} />
												</td>
												<td class="num">{e.balance_after_usd === null ? t("none") : fmt.usd(e.balance_after_usd)}</td>
												<td class="muted" style={{ whiteSpace: "normal", minWidth: "12rem" }}>
													{e.request_id ? (
														<a class="mono" href={`/usage${query({ request: e.request_id })}`} title={e.request_id}>
															{e.request_id.length > 12 ? `${e.request_id.slice(0, 12)}…` : e.request_id}
														</a>
													) : null}
													{e.request_id && e.note ? " · " : null}
													{e.note}
												</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
							<MoreButton paged={paged} testid="ledger-more" />
						</>
					)
				}
			</Async>
		</Section>
	);
}
