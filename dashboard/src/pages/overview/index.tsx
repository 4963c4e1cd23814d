/**
 * The overview page: traffic, tokens, cost and latency over a range, the top models and channels, the response
 * cache's hit rate and savings, and (for the operator) channel health.
 */

import { useMemo, useState } from "preact/hooks";
import { Async, Empty, useLoad } from "../../components/async";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { isAdmin } from "../../session";
import { BreakerList, type Breakers, loadBreakers } from "./breakers";
import { CachePanel } from "./cache";
import { StatCards, summarize } from "./cards";
import { Charts } from "./charts";
import { loadStats, RANGES, type RangeKey } from "./stats";
import { t } from "./strings";
import { TopLists } from "./top";

const PERIOD_NAMES = { minute: "periodMinute", hour: "periodHour", day: "periodDay" } as const;

export function OverviewPage() {
	const [range, setRange] = useState<RangeKey>("day");
	const admin = isAdmin.value;
	const stats = useLoad(() => loadStats(range, admin), [range, admin]);
	const breakers = useLoad<Breakers | null>(() => (admin ? loadBreakers() : Promise.resolve(null)), [admin]);
	const names = useMemo(() => new Map((breakers.data?.rows ?? []).map((r) => [r.channel.id, r.channel.name])), [breakers.data]);
	const refresh = () => {
		stats.reload();
		if (admin) breakers.reload();
	};
	const busy = stats.loading || (admin && breakers.loading);

	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<fieldset class="row" style={{ border: 0, padding: 0, margin: 0, gap: "0.25rem" }} aria-label={t("range")}>
					{(Object.keys(RANGES) as RangeKey[]).map((key) => (
						<button
							key={key}
							type="button"
							class={range === key ? "" : "secondary"}
							aria-pressed={range === key}
							data-testid={`range-${key}`}
							onClick={() => setRange(key)}
						>
							{t(RANGES[key].label)}
						</button>
					))}
				</fieldset>
				<button type="button" class="secondary" data-testid="overview-refresh" disabled={busy} onClick={refresh}>
					{busy ? t("refreshing") : t("refresh")}
				</button>
			</PageTitle>
			<Async load={stats}>
				{(s) => {
					const points = s.series.data ?? [];
					return (
						<>
							<p class="muted" style={{ margin: 0 }}>
								{t("span", { from: fmt.time(s.series.from), to: fmt.time(s.series.to), period: t(PERIOD_NAMES[s.series.period]) })}
							</p>
							<StatCards sum={summarize(points)} />
							{points.length === 0 ? (
								<Empty>{t("noTraffic")}</Empty>
							) : (
								<>
									<Charts ts={s.series} />
									<TopLists stats={s} names={names} />
									<CachePanel stats={s} />
								</>
							)}
						</>
					);
				}}
			</Async>
			{admin && (
				<section>
					<h2>{t("breakers")}</h2>
					<p class="muted" style={{ marginTop: 0 }}>
						{t("breakersHint")}
					</p>
					<Async load={breakers}>{(d) => (d && d.rows.length > 0 ? <BreakerList data={d} /> : <Empty>{t("noChannels")}</Empty>)}</Async>
				</section>
			)}
		</div>
	);
}
