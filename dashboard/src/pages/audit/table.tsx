/** The audit entries, newest first, with "load more" under them. */

import type { AuditEntry } from "../../components/api-types";
import type { Paged } from "../../components/hooks";
import { PagedTable } from "../../components/paged-table";
import { fmt } from "../../i18n";
import { t } from "./strings";

const CHANGES_SHOWN = 80;

/** Who acted: the kind, and the user's or key's id when there is one. */
function actorOf(e: AuditEntry): string {
	return e.actor_id === null ? t(e.actor_type) : `${t(e.actor_type)} #${e.actor_id}`;
}

function objectOf(e: AuditEntry): string {
	if (e.object_type === null) return "–";
	return e.object_id === null ? e.object_type : `${e.object_type} ${e.object_id}`;
}

export function AuditTable({ page }: { page: Paged<AuditEntry> }) {
	return (
		<PagedTable
			paged={page}
			moreTestId="audit-more"
			counted
			testid="audit-table"
			rowKey={(e) => e.id}
			rowTestId={() => "audit-row"}
			empty={t("noRows")}
			columns={[
				{ id: "time", head: t("time"), cell: (e) => fmt.time(e.at) },
				{ id: "actor", head: t("actor"), cell: actorOf },
				{ id: "action", head: t("action"), class: "mono", cell: (e) => e.action },
				{ id: "object", head: t("object"), class: "mono", cell: objectOf },
				{ id: "result", head: t("result"), cell: (e) => t(e.result) },
				{ id: "ip", head: t("address"), class: "mono", cell: (e) => e.ip ?? "–" },
				{
					id: "changes",
					head: t("changes"),
					class: "mono",
					title: (e) => (e.diff === null ? undefined : JSON.stringify(e.diff, null, 2)),
					cell: (e) => {
						if (e.diff === null) return "–";
						const text = JSON.stringify(e.diff);
						return text.length > CHANGES_SHOWN ? `${text.slice(0, CHANGES_SHOWN)}…` : text;
					},
				},
			]}
		/>
	);
}
