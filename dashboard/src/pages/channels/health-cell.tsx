/** The channels table's health cells: the breaker's state with its error rate, and the last error. */

import type { ChannelHealth } from "../../components/api-types";
import { fmt } from "../../i18n";
import type { HealthEntry } from "./health";
import { t } from "./strings";

const pct = (rate: number) => `${fmt.int(Math.round(rate * 1000) / 10)}%`;

export function HealthCell({ id, entry }: { id: number; entry: HealthEntry | undefined }) {
	if (!entry) return <span class="muted">{t("healthUnknown")}</span>;
	if ("error" in entry) {
		return (
			<span class="badge warn" title={t("healthFailed", { error: entry.error })}>
				?
			</span>
		);
	}
	const h = entry.health;
	const title = h.disabled_reason ?? (h.retry_at ? t("retryAt", { time: fmt.time(h.retry_at) }) : undefined);
	return (
		<div>
			<span class={`badge ${h.state}`} data-testid={`channel-health-${id}`} data-state={h.state} title={title}>
				{t(h.state)}
			</span>
			<div class="muted" style={{ fontSize: "0.8rem" }}>
				{h.window.requests === 0 ? t("windowEmpty") : t("window", { rate: pct(h.window.error_rate), requests: fmt.int(h.window.requests) })}
			</div>
		</div>
	);
}

export function LastError({ health }: { health: ChannelHealth | null }) {
	const message = health?.disabled_reason ?? health?.last_error;
	if (!health || !message) return <span class="muted">{t("noError")}</span>;
	return (
		<div style={{ whiteSpace: "normal", maxWidth: "16rem", fontSize: "0.85rem" }} title={message}>
			<div style={{ overflow: "hidden", textOverflow: "ellipsis", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical" }}>{message}</div>
			{health.last_error_at && <div class="muted">{fmt.time(health.last_error_at)}</div>}
		</div>
	);
}
