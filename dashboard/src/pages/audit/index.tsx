/** The audit page: who did what, filtered, exported as CSV; a user sees the entries about them, the operator all. */

import { useState } from "preact/hooks";
import { query } from "../../api";
import type { AuditEntry } from "../../components/api-types";
import { Alert } from "../../components/async";
import { useCsvExport } from "../../components/csv-export";
import { usePaged } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { isAdmin } from "../../session";
import { FilterForm } from "./filter-form";
import { type Filters, NO_FILTERS, params } from "./filters";
import { t } from "./strings";
import { AuditTable } from "./table";

const PAGE = 50;

export function AuditPage() {
	const admin = isAdmin.value;
	const [filters, setFilters] = useState<Filters>(NO_FILTERS);
	const csv = useCsvExport((message) => t("exportFailed", { message }));
	const q = params(filters, admin);
	const page = usePaged<AuditEntry>((cursor) => `/api/audit${query({ ...q, limit: PAGE, cursor })}`, [JSON.stringify(q)]);

	const exportCsv = () => csv.run(`/api/audit/export.csv${query(q)}`);

	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<button type="button" class="secondary" onClick={page.first.reload} disabled={page.first.loading} data-testid="audit-refresh">
					{t("refresh")}
				</button>
				<button type="button" class="secondary" onClick={exportCsv} disabled={csv.busy} data-testid="audit-export">
					{csv.busy ? t("exporting") : t("export")}
				</button>
			</PageTitle>
			{csv.error && <Alert>{csv.error}</Alert>}
			<FilterForm value={filters} admin={admin} onApply={setFilters} />
			<AuditTable page={page} />
		</div>
	);
}
