/** The top models and channels over a range, as bars of their request counts. */

import { Empty } from "../../components/async";
import { fmt } from "../../i18n";
import { COLORS } from "./charts";
import type { Stats, TopRow } from "./stats";
import { t } from "./strings";

interface Bar {
	key: string;
	label: string;
	value: number;
	note: string;
}

/** A horizontal bar per row, its length relative to the largest. */
function Bars({ items, color, testid }: { items: Bar[]; color: string; testid: string }) {
	if (items.length === 0) return <Empty />;
	const max = Math.max(1, ...items.map((i) => i.value));
	return (
		<div class="stack" style={{ gap: "0.6rem" }} data-testid={testid}>
			{items.map((i) => (
				<div key={i.key}>
					<div class="row spread" style={{ gap: "0.5rem", flexWrap: "nowrap" }}>
						<span title={i.label} style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", minWidth: 0 }}>
							{i.label}
						</span>
						<span class="muted" style={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums", fontSize: "0.85rem" }}>
							{i.note}
						</span>
					</div>
					<div style={{ background: "var(--code)", borderRadius: "4px", height: "8px", marginTop: "0.2rem" }}>
						<div style={{ width: `${Math.max(1, (i.value / max) * 100)}%`, background: color, borderRadius: "4px", height: "100%" }} />
					</div>
				</div>
			))}
		</div>
	);
}

const bar = (row: TopRow, label: string): Bar => ({
	key: String(row.key),
	label,
	value: row.requests,
	note: t("topNote", { requests: fmt.int(row.requests), cost: fmt.usd(row.cost_usd) }),
});

/** A request refused before its model was read (bad JSON, no key) is logged with an empty model. */
const modelLabel = (key: string | number) => (key === "" ? t("noModel") : String(key));

export function TopLists({ stats, names }: { stats: Stats; names: Map<number, string> }) {
	const channelLabel = (key: string | number) => {
		const id = Number(key);
		if (id === 0) return t("noChannel");
		return names.get(id) ?? t("channel", { id });
	};
	return (
		<div class="grid">
			<div class="card">
				<h2 style={{ marginTop: 0 }}>{t("topModels")}</h2>
				<Bars testid="top-models" color={COLORS.requests} items={(stats.models.data ?? []).map((r) => bar(r, modelLabel(r.key)))} />
			</div>
			<div class="card">
				<h2 style={{ marginTop: 0 }}>{t("topChannels")}</h2>
				<Bars testid="top-channels" color={COLORS.output} items={(stats.channels.data ?? []).map((r) => bar(r, channelLabel(r.key)))} />
			</div>
		</div>
	);
}
