/** The table of keys: status, owner, models, limits and spend, with each key's actions. */

import type { Limits, Token } from "../../components/api-types";
import { ModelList } from "../../components/model-list";
import { fmt } from "../../i18n";
import { t } from "./strings";

const isExpired = (k: Token) => k.expires_at !== null && Date.parse(k.expires_at) <= Date.now();

function limitSummary(l: Limits): string {
	const parts: string[] = [];
	if (l.rpm !== null) parts.push(t("rpm", { n: fmt.int(l.rpm) }));
	if (l.tpm !== null) parts.push(t("tpm", { n: fmt.int(l.tpm) }));
	if (l.max_concurrency !== null) parts.push(t("concurrency", { n: fmt.int(l.max_concurrency) }));
	if (l.budget_daily_usd !== null) parts.push(t("daily", { usd: fmt.usd(l.budget_daily_usd) }));
	if (l.budget_monthly_usd !== null) parts.push(t("monthly", { usd: fmt.usd(l.budget_monthly_usd) }));
	if (l.quota_usd !== null) parts.push(t("quota", { usd: fmt.usd(l.quota_usd) }));
	return parts.length > 0 ? parts.join(" · ") : t("noLimits");
}

function Models({ models }: { models: string[] | null }) {
	if (!models || models.length === 0) return <span class="muted">{t("allModels")}</span>;
	return <ModelList models={models} more={(n) => `+${fmt.int(n)}`} />;
}

export function KeyTable({
	keys,
	admin,
	userName,
	busy,
	onView,
	onEdit,
	onToggle,
	onRevoke,
}: {
	keys: Token[];
	admin: boolean;
	userName: (id: number) => string;
	busy: number | null;
	onView: (k: Token) => void;
	onEdit: (k: Token) => void;
	onToggle: (k: Token) => void;
	onRevoke: (k: Token) => void;
}) {
	return (
		<div class="table-wrap">
			<table>
				<thead>
					<tr>
						<th>{t("colName")}</th>
						<th>{t("colKey")}</th>
						<th>{t("colStatus")}</th>
						{admin && <th>{t("colOwner")}</th>}
						<th>{t("colModels")}</th>
						<th>{t("colLimits")}</th>
						<th class="num">{t("colSpent")}</th>
						<th>{t("colExpires")}</th>
						<th>{t("colLastUsed")}</th>
						<th>{t("colActions")}</th>
					</tr>
				</thead>
				<tbody>
					{keys.map((k) => (
						<tr key={k.id} data-testid={`key-row-${k.id}`}>
							<td>
								<strong>{k.name}</strong>
							</td>
							<td>
								<code>{k.key_prefix}</code>
							</td>
							<td>
								<span class={`badge ${k.status}`}>{t(k.status)}</span> {isExpired(k) && <span class="badge warn">{t("expired")}</span>}
							</td>
							{admin && <td>{userName(k.user_id)}</td>}
							<td>
								<Models models={k.models} />
							</td>
							<td style={{ whiteSpace: "normal", minWidth: "10rem" }}>{limitSummary(k)}</td>
							<td class="num">{fmt.usd(k.spent_usd)}</td>
							<td>{k.expires_at ? fmt.time(k.expires_at) : <span class="muted">{t("never")}</span>}</td>
							<td>{k.last_used_at ? fmt.time(k.last_used_at) : <span class="muted">{t("neverUsed")}</span>}</td>
							<td>
								<div class="row" style={{ gap: "0.35rem", flexWrap: "nowrap" }}>
									<button type="button" class="secondary" data-testid={`key-usage-${k.id}`} onClick={() => onView(k)}>
										{t("usage")}
									</button>
									<button type="button" class="secondary" data-testid={`key-edit-${k.id}`} onClick={() => onEdit(k)}>
										{t("edit")}
									</button>
									<button type="button" class="secondary" data-testid={`key-toggle-${k.id}`} disabled={busy === k.id} onClick={() => onToggle(k)}>
										{k.status === "active" ? t("disable") : t("enable")}
									</button>
									<button type="button" class="danger" data-testid={`key-revoke-${k.id}`} disabled={busy === k.id} onClick={() => onRevoke(k)}>
										{t("revoke")}
									</button>
								</div>
							</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}
