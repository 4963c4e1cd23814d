/** The response cache over the range: how many requests it answered and what that saved, by key and by model. */

import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import { summarize } from "./cards";
import { pct } from "./format";
import type { Stats, TopRow } from "./stats";
import { t } from "./strings";

const rate = (r: { requests: number; cache_hits: number }) => (r.requests === 0 ? 0 : r.cache_hits / r.requests);

function CacheTable({ rows, label, testid }: { rows: TopRow[]; label: (row: TopRow) => string; testid: string }) {
	return (
		<DataTable
			testid={testid}
			rows={rows}
			rowKey={(r) => String(r.key)}
			rowTestId={(r) => `${testid}-${r.key}`}
			columns={[
				{ id: "name", head: t("cacheName"), cell: label },
				{ id: "requests", head: t("requests"), num: true, cell: (r) => fmt.int(r.requests) },
				{ id: "hits", head: t("cacheHits"), num: true, cell: (r) => fmt.int(r.cache_hits) },
				{ id: "rate", head: t("cacheHitRate"), num: true, cell: (r) => pct(rate(r)) },
				{ id: "saved", head: t("cacheSaved"), num: true, cell: (r) => fmt.usd(r.saved_usd) },
			]}
		/>
	);
}

export function CachePanel({ stats }: { stats: Stats }) {
	const total = summarize(stats.series.data ?? []);
	const keyLabel = (r: TopRow) => {
		const id = Number(r.key);
		if (id === 0) return t("noKey");
		return stats.keyNames.get(id) ?? t("key", { id });
	};
	const modelLabel = (r: TopRow) => (r.key === "" ? t("noModel") : String(r.key));
	return (
		<section class="card stack" data-testid="cache-panel" aria-labelledby="cache-panel-title">
			<h2 id="cache-panel-title" style={{ margin: 0 }}>
				{t("cacheTitle")}
			</h2>
			<p class="muted" style={{ margin: 0 }} data-testid="cache-summary">
				{t("cacheSummary", { hits: fmt.int(total.cache_hits), rate: pct(rate(total)), saved: fmt.usd(total.saved_usd) })}
			</p>
			<div class="grid">
				<div class="stack">
					<h3 style={{ margin: 0 }}>{t("cacheByKey")}</h3>
					<CacheTable testid="cache-keys" rows={stats.cacheKeys.data ?? []} label={keyLabel} />
				</div>
				<div class="stack">
					<h3 style={{ margin: 0 }}>{t("cacheByModel")}</h3>
					<CacheTable testid="cache-models" rows={stats.cacheModels.data ?? []} label={modelLabel} />
				</div>
			</div>
		</section>
	);
}
