/** Whether the response cache answered a request, and what that saved: a badge, or nothing for an upstream's answer. */

import type { UsageRow } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

export function CacheHit({ row }: { row: Pick<UsageRow, "cache_hit" | "saved_usd"> }) {
	if (row.cache_hit === null) return <span class="muted">{t("none")}</span>;
	return (
		<span class="nowrap" data-testid="usage-cache-hit">
			<span class="badge ok">{t(row.cache_hit === "exact" ? "hitExact" : "hitSemantic")}</span>{" "}
			<span class="muted">{t("saved", { usd: fmt.usd(row.saved_usd) })}</span>
		</span>
	);
}
