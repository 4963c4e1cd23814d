/** The table of requests, newest first, with "load more" under it; a row opens its details. */

import type { UsageRow } from "../../components/api-types";
import { Async, ErrorBox } from "../../components/async";
import type { Paged } from "../../components/hooks";
import { fmt } from "../../i18n";
import { StatusBadge } from "./status-badge";
import { t } from "./strings";

export function UsageTable({
	page,
	channelName,
	onSelect,
}: {
	page: Paged<UsageRow>;
	channelName: (id: number | null) => string;
	onSelect: (requestId: string) => void;
}) {
	return (
		<Async load={page.first}>
			{() =>
				page.rows.length === 0 ? (
					<div class="state empty">{t("noRows")}</div>
				) : (
					<>
						<div class="table-wrap">
							<table data-testid="usage-table">
								<thead>
									<tr>
										<th>{t("time")}</th>
										<th>{t("requestId")}</th>
										<th>{t("model")}</th>
										<th>{t("channel")}</th>
										<th class="num">{t("tokensIn")}</th>
										<th class="num">{t("tokensOut")}</th>
										<th class="num">{t("cost")}</th>
										<th class="num">{t("latency")}</th>
										<th>{t("status")}</th>
									</tr>
								</thead>
								<tbody>
									{page.rows.map((r) => (
										<tr
											key={r.request_id}
											data-testid="usage-row"
											class="clickable"
											tabIndex={0}
											onClick={() => onSelect(r.request_id)}
											onKeyDown={(e) => {
												if (e.key === "Enter" || e.key === " ") {
													e.preventDefault();
													onSelect(r.request_id);
												}
											}}
										>
											<td>{fmt.time(r.created_at)}</td>
											<td class="mono" title={r.request_id}>
												{r.request_id.length > 10 ? `${r.request_id.slice(0, 10)}…` : r.request_id}
											</td>
											<td>{r.model}</td>
											<td>{channelName(r.channel_id)}</td>
											<td class="num">{fmt.int(r.prompt_tokens)}</td>
											<td class="num">{fmt.int(r.completion_tokens)}</td>
											<td class="num">{fmt.usd(r.cost_usd)}</td>
											<td class="num">{fmt.ms(r.latency_ms)}</td>
											<td title={r.error_code ?? undefined}>
												<StatusBadge status={r.status} />
											</td>
										</tr>
									))}
								</tbody>
							</table>
						</div>
						<div class="row spread">
							<span class="muted">{t("shown", { n: fmt.int(page.rows.length) })}</span>
							{page.next ? (
								<button type="button" class="secondary" onClick={page.loadMore} disabled={page.busy} data-testid="usage-more">
									{page.busy ? t("loadingMore") : t("loadMore")}
								</button>
							) : (
								<span class="muted">{t("end")}</span>
							)}
						</div>
						{page.error && <ErrorBox error={page.error} retry={page.loadMore} />}
					</>
				)
			}
		</Async>
	);
}
