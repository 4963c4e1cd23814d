/** The channels table's health cells: the breaker's state with its error rate, the models held back, and the last error. */

import type { ChannelHealth, ModelHealth } from "../../components/api-types";
import { breakerStateName } from "../../components/breaker-state";
import { fmt } from "../../i18n";
import type { HealthEntry } from "./health";
import { t } from "./strings";

const pct = (rate: number) => `${fmt.int(Math.round(rate * 1000) / 10)}%`;

/** Models shown one by one; the rest are counted. */
const MODELS_SHOWN = 3;

/** The channel's models that are not served right now (open, half-open), each with why and until when. */
function HeldModels({ id, models }: { id: number; models: ModelHealth[] }) {
	const held = models.filter((m) => m.state !== "closed");
	if (held.length === 0) return null;
	return (
		<div class="stack" style={{ gap: "0.15rem", marginTop: "0.25rem" }}>
			{held.slice(0, MODELS_SHOWN).map((m) => {
				const state = m.opened_by === "rate_limit" ? t("rateLimited") : breakerStateName(m.state);
				const until = m.retry_at ? t("retryAt", { time: fmt.time(m.retry_at) }) : undefined;
				return (
					<span
						key={m.model}
						class={`badge ${m.opened_by === "rate_limit" ? "half_open" : m.state}`}
						data-testid={`model-health-${id}`}
						data-model={m.model}
						data-state={m.state}
						title={[until, m.last_error].filter(Boolean).join(" · ") || undefined}
						style={{ fontSize: "0.75rem", maxWidth: "14rem", overflow: "hidden", textOverflow: "ellipsis" }}
					>
						{t("modelHeld", { model: m.model, state })}
					</span>
				);
			})}
			{held.length > MODELS_SHOWN && <span class="muted">{t("modelsMore", { n: held.length - MODELS_SHOWN })}</span>}
		</div>
	);
}

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
				{breakerStateName(h.state)}
			</span>
			<div class="muted" style={{ fontSize: "0.8rem" }}>
				{h.window.requests === 0 ? t("windowEmpty") : t("window", { rate: pct(h.window.error_rate), requests: fmt.int(h.window.requests) })}
			</div>
			<HeldModels id={id} models={h.models} />
		</div>
	);
}

/** The channel's own last error, or else the latest of its models' (named), with when it happened. */
function latestError(health: ChannelHealth): { message: string; at: string | null } | undefined {
	const own = health.disabled_reason ?? health.last_error;
	if (own) return { message: own, at: health.last_error_at };
	const latest = health.models
		.filter((m) => m.last_error !== null && m.last_error_at !== null)
		.sort((a, b) => (a.last_error_at ?? "").localeCompare(b.last_error_at ?? ""))
		.at(-1);
	return latest ? { message: `${latest.model}: ${latest.last_error}`, at: latest.last_error_at } : undefined;
}

export function LastError({ health }: { health: ChannelHealth | null }) {
	const error = health ? latestError(health) : undefined;
	if (!error) return <span class="muted">{t("noError")}</span>;
	return (
		<div style={{ whiteSpace: "normal", maxWidth: "16rem", fontSize: "0.85rem" }} title={error.message}>
			<div style={{ overflow: "hidden", textOverflow: "ellipsis", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical" }}>
				{error.message}
			</div>
			{error.at && <div class="muted">{fmt.time(error.at)}</div>}
		</div>
	);
}
