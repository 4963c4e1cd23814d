/** A key's usage panel: its live limits and its most recent requests. */

import { useEffect, useRef } from "preact/hooks";
import { get, query } from "../../api";
import type { Token, UsageRow } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import { type Standing, StandingCards } from "./standing";
import { t } from "./strings";

export function KeyUsage({ token, onClose }: { token: Token; onClose: () => void }) {
	const ref = useRef<HTMLDivElement>(null);
	const standing = useLoad(() => get<Standing>(`/api/tokens/${token.id}/limits`), [token.id]);
	const usage = useLoad(() => get<{ data: UsageRow[] }>(`/api/usage${query({ token_id: token.id, limit: 20 })}`).then((r) => r.data), [token.id]);

	useEffect(() => {
		ref.current?.scrollIntoView({ behavior: "smooth", block: "start" });
	}, []);

	const refresh = () => {
		standing.reload();
		usage.reload();
	};

	return (
		<section class="card stack" ref={ref} data-testid="key-usage" aria-labelledby="key-usage-title">
			<div class="row spread">
				<h2 id="key-usage-title" style={{ margin: 0 }}>
					{t("usageTitle", { name: token.name })}
				</h2>
				<div class="row">
					<button type="button" class="secondary" onClick={refresh} disabled={standing.loading || usage.loading}>
						{t("refresh")}
					</button>
					<button type="button" class="secondary" onClick={onClose}>
						{t("close")}
					</button>
				</div>
			</div>
			<Async load={standing}>{(s) => <StandingCards standing={s} />}</Async>
			<h2 style={{ margin: 0 }}>{t("recent")}</h2>
			<Async load={usage}>
				{(rows) => (
					<DataTable
						rows={rows}
						rowKey={(r) => r.request_id}
						rowTitle={(r) => r.request_id}
						empty={t("noUsage")}
						columns={[
							{ id: "time", head: t("colTime"), cell: (r) => fmt.time(r.created_at) },
							{ id: "model", head: t("colModel"), cell: (r) => <code>{r.model}</code> },
							{
								id: "status",
								head: t("colHttp"),
								cell: (r) => (
									<>
										<span class={`badge ${r.status < 400 ? "ok" : "error"}`}>{r.status}</span>
										{r.error_code && <span class="muted"> {r.error_code}</span>}
									</>
								),
							},
							{ id: "tokens", head: t("colTokens"), num: true, cell: (r) => `${fmt.int(r.prompt_tokens)} / ${fmt.int(r.completion_tokens)}` },
							{ id: "cost", head: t("colCost"), num: true, cell: (r) => fmt.usd(r.cost_usd) },
							{ id: "latency", head: t("colLatency"), num: true, cell: (r) => fmt.ms(r.latency_ms) },
						]}
					/>
				)}
			</Async>
		</section>
	);
}
