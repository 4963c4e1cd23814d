/** The table of requests, newest first, with "load more" under it; a row opens its details. */

import type { UsageRow } from "../../components/api-types";
import type { Paged } from "../../components/hooks";
import { PagedTable } from "../../components/paged-table";
import { fmt } from "../../i18n";
import { CacheHit } from "./cache-hit";
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
		<PagedTable
			paged={page}
			moreTestId="usage-more"
			counted
			testid="usage-table"
			rowKey={(r) => r.request_id}
			rowTestId={() => "usage-row"}
			onRowClick={(r) => onSelect(r.request_id)}
			empty={t("noRows")}
			columns={[
				{ id: "time", head: t("time"), cell: (r) => fmt.time(r.created_at) },
				{
					id: "id",
					head: t("requestId"),
					class: "mono",
					title: (r) => r.request_id,
					cell: (r) => (r.request_id.length > 10 ? `${r.request_id.slice(0, 10)}…` : r.request_id),
				},
				{ id: "model", head: t("model"), cell: (r) => r.model },
				{ id: "channel", head: t("channel"), cell: (r) => channelName(r.channel_id) },
				{ id: "in", head: t("tokensIn"), num: true, cell: (r) => fmt.int(r.prompt_tokens) },
				{ id: "out", head: t("tokensOut"), num: true, cell: (r) => fmt.int(r.completion_tokens) },
				{ id: "cost", head: t("cost"), num: true, cell: (r) => fmt.usd(r.cost_usd) },
				{ id: "cache", head: t("cache"), cell: (r) => <CacheHit row={r} /> },
				{ id: "latency", head: t("latency"), num: true, cell: (r) => fmt.ms(r.latency_ms) },
				{ id: "status", head: t("status"), title: (r) => r.error_code ?? undefined, cell: (r) => <StatusBadge status={r.status} /> },
			]}
		/>
	);
}
