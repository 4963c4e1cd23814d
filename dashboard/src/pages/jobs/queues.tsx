/** Each queue: its state, its last hour per outcome, and the button that pauses or resumes its consumer. */

import { Alert } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { useRowAction } from "../../components/hooks";
import { fmt } from "../../i18n";
import { jobsApi, type QueueState } from "./api";
import { t } from "./strings";

export function QueueTable({ queues, onChange }: { queues: QueueState[]; onChange: () => void }) {
	const toggle = useRowAction();
	return (
		<div class="stack">
			{toggle.error && <Alert>{toggle.error}</Alert>}
			<DataTable
				testid="queue-table"
				rows={queues}
				rowKey={(q) => q.queue}
				rowTestId={(q) => `queue-row-${q.queue}`}
				columns={[
					{
						id: "queue",
						head: t("queue"),
						cell: (q) => (
							<span>
								<strong>{t(`queue_${q.queue}`)}</strong>{" "}
								<span class="muted mono" translate={false}>
									{q.queue}
								</span>
							</span>
						),
					},
					{
						id: "state",
						head: t("state"),
						cell: (q) => (
							<span
								class={`badge ${q.paused ? "half_open" : "closed"}`}
								data-testid="queue-state"
								title={q.paused && q.paused_at ? t("pausedSince", { who: q.paused_by ?? "?", at: fmt.time(q.paused_at) }) : undefined}
							>
								{q.paused ? t("paused") : t("running")}
							</span>
						),
					},
					{ id: "acked", head: t("acked"), cell: (q) => fmt.int(q.last_hour.acked), class: "num" },
					{ id: "retried", head: t("retried"), cell: (q) => fmt.int(q.last_hour.retried), class: "num" },
					{ id: "deferred", head: t("deferred"), cell: (q) => fmt.int(q.last_hour.deferred), class: "num" },
					{ id: "dead", head: t("dead"), cell: (q) => fmt.int(q.last_hour.dead), class: "num" },
					{ id: "pending", head: t("deadPending"), cell: (q) => <span data-testid="queue-dead-pending">{fmt.int(q.dead_pending)}</span>, class: "num" },
					{
						id: "actions",
						head: "",
						cell: (q) => {
							const i = queues.indexOf(q);
							return (
								<button
									type="button"
									class="secondary"
									data-testid={q.paused ? "queue-resume" : "queue-pause"}
									disabled={toggle.busy === i}
									onClick={() =>
										void toggle.act(i, async () => {
											await (q.paused ? jobsApi.resume(q.queue) : jobsApi.pause(q.queue));
											onChange();
										})
									}
								>
									{q.paused ? t("resume") : t("pause")}
								</button>
							);
						},
					},
				]}
			/>
		</div>
	);
}
