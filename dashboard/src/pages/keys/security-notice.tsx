/** The keys that anomaly detection or a leak report locked, with why: shown above the table while there are any. */

import type { Token } from "../../components/api-types";
import { t } from "./strings";

export function SecurityNotice({ keys }: { keys: Token[] }) {
	const locked = keys.filter((k) => k.status === "locked");
	if (locked.length === 0) return null;
	return (
		<div class="state error" role="alert" data-testid="keys-security">
			<strong>{t("securityTitle")}</strong> {t("securityNotice")}
			<ul>
				{locked.map((k) => (
					<li key={k.id}>
						{k.name} ({k.key_prefix}): {k.locked_reason ?? t("locked")}
					</li>
				))}
			</ul>
		</div>
	);
}
