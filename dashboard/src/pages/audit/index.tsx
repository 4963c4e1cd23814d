/** The audit page: who did what, filtered, exported as CSV; a user sees the entries about them, the operator all. */

import { useState } from "preact/hooks";
import { query } from "../../api";
import type { AuditEntry } from "../../components/api-types";
import { Alert } from "../../components/async";
import { messageOf } from "../../components/format";
import { usePaged } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { isAdmin } from "../../session";
import { download } from "../usage/export";
import { FilterForm } from "./filter-form";
import { type Filters, NO_FILTERS, params } from "./filters";
import { t } from "./strings";
import { AuditTable } from "./table";

const PAGE = 50;

export function AuditPage() {
	const admin = isAdmin.value;
	const [filters, setFilters] = useState<Filters>(NO_FILTERS);
	const [exporting, setExporting] = useState(false);
	const [exportError, setExportError] = useState<string | null>(null);
	const q = params(filters, admin);
	const page = usePaged<AuditEntry>((cursor) => `/api/audit${query({ ...q, limit: PAGE, cursor })}`, [JSON.stringify(q)]);

	const exportCsv = async () => {
		setExporting(true);
		setExportError(null);
		try {
			await download(`/api/audit/export.csv${query(q)}`);
		} catch (err) {
			setExportError(t("exportFailed", { message: messageOf(err) }));
		} finally {
			setExporting(false);
		}
	};

	return (
		<div class="stack">
			<PageTitle title={t("title")}>
				<button type="button" class="secondary" onClick={page.first.reload} disabled={page.first.loading} data-testid="audit-refresh">
					{t("refresh")}
				</button>
				<button type="button" class="secondary" onClick={exportCsv} disabled={exporting} data-testid="audit-export">
					{exporting ? t("exporting") : t("export")}
				</button>
			</PageTitle>
			{exportError && <Alert>{exportError}</Alert>}
			<FilterForm value={filters} admin={admin} onApply={setFilters} />
			<AuditTable page={page} />
		</div>
	);
}
