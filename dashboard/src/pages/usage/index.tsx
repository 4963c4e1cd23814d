/** The usage logs page: every request through the gateway, filtered, exported as CSV, one at a time in detail. */

import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { get, query } from "../../api";
import type { Channel, UsageRow } from "../../components/api-types";
import { Alert, useLoad } from "../../components/async";
import { useCsvExport } from "../../components/csv-export";
import { usePaged } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { isAdmin } from "../../session";
import { Detail } from "./detail";
import { FilterForm } from "./filter-form";
import { type Filters, NO_FILTERS, params } from "./filters";
import { t } from "./strings";
import { UsageTable } from "./table";

const PAGE = 50;

export function UsagePage() {
	const admin = isAdmin.value;
	const [filters, setFilters] = useState<Filters>(NO_FILTERS);
	// `/usage?request=<id>` (the ledger links there) opens that request's details.
	const location = useLocation();
	const linked = location.query.request || null;
	const [selected, setSelected] = useState<string | null>(linked);
	useEffect(() => {
		if (linked) setSelected(linked);
	}, [linked]);
	const closeDetail = () => {
		setSelected(null);
		if (linked) location.route("/usage", true);
	};
	const csv = useCsvExport((message) => t("exportFailed", { message }));
	const q = params(filters, admin);
	const key = JSON.stringify(q);
	const page = usePaged<UsageRow>((cursor) => `/api/usage${query({ ...q, limit: PAGE, cursor })}`, [key]);
	const channels = useLoad<Channel[] | null>(
		() => (admin ? get<{ data: Channel[] }>("/api/channels").then((r) => r.data ?? []) : Promise.resolve(null)),
		[admin],
	);
	const names = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
	const channelName = (id: number | null) => (id === null ? t("none") : (names.get(id) ?? `#${id}`));

	const exportCsv = () => csv.run(`/api/usage/export.csv${query(q)}`);

	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<button type="button" class="secondary" onClick={page.first.reload} disabled={page.first.loading} data-testid="usage-refresh">
					{t("refresh")}
				</button>
				<button type="button" class="secondary" onClick={exportCsv} disabled={csv.busy} data-testid="usage-export">
					{csv.busy ? t("exporting") : t("export")}
				</button>
			</PageTitle>
			{csv.error && <Alert>{csv.error}</Alert>}
			<FilterForm value={filters} admin={admin} channels={channels.data ?? undefined} onApply={setFilters} />
			<UsageTable page={page} channelName={channelName} onSelect={setSelected} />
			{selected && <Detail key={selected} id={selected} channelName={channelName} onClose={closeDetail} />}
		</div>
	);
}
