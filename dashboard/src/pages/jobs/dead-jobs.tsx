/** The messages that exhausted their retries, newest first: replayed, discarded, or waiting for the operator. */

import { Alert } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { useRowAction } from "../../components/hooks";
import { fmt } from "../../i18n";
import { type DeadJob, jobsApi } from "./api";
import { t } from "./strings";

const status = (j: DeadJob) => (j.discarded_at ? "discarded" : j.replayed_at ? "replayed" : "pending");

export function DeadJobs({ jobs, onChange }: { jobs: DeadJob[]; onChange: () => void }) {
	const action = useRowAction();
	const act = (job: DeadJob, run: () => Promise<unknown>) =>
		void action.act(job.id, async () => {
			await run();
			onChange();
		});
	return (
		<div class="stack">
			<h2>{t("deadTitle")}</h2>
			{action.error && <Alert testid="dead-error">{action.error}</Alert>}
			<DataTable
				testid="dead-table"
				rows={jobs}
				rowKey={(j) => String(j.id)}
				rowTestId={(j) => `dead-row-${j.id}`}
				empty={t("noDead")}
				columns={[
					{ id: "id", head: t("id"), cell: (j) => j.id, class: "num" },
					// The queue's, the message's and the error's words are data, as the queue and the consumer wrote them.
					{ id: "queue", head: t("queue"), cell: (j) => <span translate={false}>{j.queue}</span>, class: "mono" },
					{ id: "message", head: t("message"), cell: (j) => <span translate={false}>{j.message_id}</span>, class: "mono" },
					{ id: "attempts", head: t("attempts"), cell: (j) => fmt.int(j.attempts), class: "num" },
					{ id: "error", head: t("error"), cell: (j) => <span translate={false}>{j.error ?? "–"}</span> },
					{ id: "created", head: t("created"), cell: (j) => fmt.time(j.created_at), class: "nowrap" },
					{ id: "status", head: t("status"), cell: (j) => <span data-testid="dead-status">{t(status(j))}</span> },
					{
						id: "actions",
						head: "",
						cell: (j) =>
							status(j) === "pending" && (
								<span class="actions">
									<button
										type="button"
										class="secondary"
										data-testid="dead-replay"
										disabled={action.busy === j.id}
										onClick={() => act(j, () => jobsApi.replay(j.id))}
									>
										{t("replay")}
									</button>
									<button
										type="button"
										class="danger"
										data-testid="dead-discard"
										disabled={action.busy === j.id}
										onClick={() => {
											if (window.confirm(t("confirmDiscard", { id: j.id }))) act(j, () => jobsApi.discard(j.id));
										}}
									>
										{t("discard")}
									</button>
								</span>
							),
					},
				]}
			/>
		</div>
	);
}
