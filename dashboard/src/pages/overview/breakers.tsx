/** The operator's list of channel breakers: each channel's circuit breaker state, as of now. */

import { get } from "../../api";
import type { Channel, ChannelHealth } from "../../components/api-types";
import { breakerStateName } from "../../components/breaker-state";
import { fmt } from "../../i18n";
import { pct } from "./format";
import { t } from "./strings";

const MAX_BREAKERS = 50;

export interface Breakers {
	total: number;
	rows: { channel: Channel; health: ChannelHealth | null }[];
}

export async function loadBreakers(): Promise<Breakers> {
	const list = await get<{ data: Channel[] }>("/api/channels");
	const channels = list.data ?? [];
	const shown = channels.slice(0, MAX_BREAKERS);
	const health = await Promise.all(shown.map((c) => get<ChannelHealth>(`/api/channels/${c.id}/health`).catch(() => null)));
	return { total: channels.length, rows: shown.map((channel, i) => ({ channel, health: health[i] ?? null })) };
}

/** Models on the channel its breakers hold back (open or half-open), though the channel itself may be closed. */
const heldModels = (health: ChannelHealth | null) => (health?.models ?? []).filter((m) => m.state !== "closed");
const held = (health: ChannelHealth | null) => heldModels(health).length;
const heldNames = (health: ChannelHealth | null) =>
	heldModels(health)
		.map((m) => m.model)
		.join(", ");

/** The breaker's sliding window, so that its few requests are not read as the range's (Top channels). */
const windowLength = (ms: number) =>
	ms % 60_000 === 0 && ms >= 120_000 ? t("windowMinutes", { n: fmt.int(ms / 60_000) }) : t("windowSeconds", { n: fmt.int(Math.round(ms / 1000)) });

export function BreakerList({ data }: { data: Breakers }) {
	return (
		<div class="card stack" data-testid="breakers">
			{data.rows.map(({ channel, health }) => {
				const state = health?.state ?? "unknown";
				const why = health?.last_error ?? health?.disabled_reason ?? undefined;
				return (
					<div key={channel.id} class="row spread" data-testid="breaker" style={{ gap: "0.5rem" }}>
						<span>
							{channel.name} <span class="muted">#{channel.id}</span>
						</span>
						<span class="row" style={{ gap: "0.5rem" }}>
							{health && (
								<span class="muted" style={{ fontSize: "0.85rem" }}>
									{t("windowStats", {
										requests: fmt.int(health.window.requests),
										rate: pct(health.window.error_rate),
										window: windowLength(health.window.length_ms),
									})}
								</span>
							)}
							{held(health) > 0 && (
								<span class="badge half_open" data-testid="breaker-models-held" title={heldNames(health)}>
									{t("modelsHeld", { n: fmt.int(held(health)) })}
								</span>
							)}
							<span class={`badge ${state}`} data-testid="breaker-state" title={why}>
								{breakerStateName(state)}
							</span>
						</span>
					</div>
				);
			})}
			{data.total > data.rows.length && <p class="muted">{t("capped", { shown: data.rows.length, total: data.total })}</p>}
		</div>
	);
}
