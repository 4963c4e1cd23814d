/**
 * A channel's active health checks (GET /api/channels/{id}/probes): the cron's probes, newest first, with their
 * outcome, the upstream's status, latency, cost and error. A run of failures disables the channel's breaker, and the
 * first success enables it again.
 */

import { get } from "../../api";
import type { Channel } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { useModal } from "../../components/hooks";
import { fmt } from "../../i18n";
import { t } from "./strings";

interface Probe {
	kind: "models" | "completion";
	ok: boolean;
	status: number | null;
	latency_ms: number;
	error: string | null;
	input_tokens: number;
	output_tokens: number;
	cost_usd: number;
	created_at: string;
}

export function ProbesDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
	const ref = useModal();
	const probes = useLoad(() => get<{ data: Probe[] }>(`/api/channels/${channel.id}/probes`).then((r) => r.data), [channel.id]);
	return (
		<dialog ref={ref} onClose={onClose} aria-labelledby="channel-probes-title" data-testid="channel-probes" style={{ maxWidth: "min(60rem, 95vw)" }}>
			<div class="stack">
				<h2 id="channel-probes-title" style={{ margin: 0 }}>
					{t("probesTitle", { name: channel.name })}
				</h2>
				<p class="muted" style={{ margin: 0 }}>
					{t("probesSubtitle")}
				</p>
				<Async load={probes}>
					{(rows) => (
						<DataTable
							testid="channel-probes-table"
							rows={rows}
							rowKey={(p) => `${p.created_at}-${p.kind}`}
							empty={t("probesNone")}
							columns={[
								{ id: "time", head: t("probeTime"), cell: (p) => fmt.time(p.created_at) },
								{
									id: "outcome",
									head: t("probeOutcome"),
									cell: (p) => (
										<span class={`badge ${p.ok ? "ok" : "error"}`} data-testid="probe-outcome">
											{p.ok ? t("probeOk") : t("probeFailed")}
										</span>
									),
								},
								{ id: "kind", head: t("probeKind"), cell: (p) => (p.kind === "models" ? t("probeModels") : t("probeCompletion")) },
								{ id: "status", head: t("probeStatus"), num: true, cell: (p) => (p.status === null ? "–" : String(p.status)) },
								{ id: "latency", head: t("probeLatency"), num: true, cell: (p) => fmt.ms(p.latency_ms) },
								{ id: "cost", head: t("probeCost"), num: true, cell: (p) => fmt.usd(p.cost_usd) },
								{ id: "error", head: t("probeError"), class: "wrap", cell: (p) => p.error ?? "" },
							]}
						/>
					)}
				</Async>
				<div class="row" style={{ justifyContent: "flex-end" }}>
					<button type="button" class="secondary" data-testid="channel-probes-close" onClick={() => ref.current?.close()}>
						{t("close")}
					</button>
				</div>
			</div>
		</dialog>
	);
}
