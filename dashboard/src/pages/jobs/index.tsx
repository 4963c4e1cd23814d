/** The Jobs page (the operator's): the background queues, pause and resume, and the dead jobs. */

import { Async, useLoad } from "../../components/async";
import { PageTitle } from "../../components/page-title";
import { jobsApi } from "./api";
import { DeadJobs } from "./dead-jobs";
import { QueueTable } from "./queues";
import { t } from "./strings";
import { Throughput } from "./throughput";

export function JobsPage() {
	const queues = useLoad(jobsApi.queues, []);
	const dead = useLoad(jobsApi.dead, []);
	const reload = () => {
		queues.reload();
		dead.reload();
	};
	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")}>
				<button type="button" class="secondary" data-testid="jobs-refresh" onClick={reload}>
					{t("refresh")}
				</button>
			</PageTitle>
			<Async load={queues}>
				{(list) => (
					<>
						<QueueTable queues={list} onChange={queues.reload} />
						<Throughput queues={list} />
					</>
				)}
			</Async>
			<Async load={dead}>{(list) => <DeadJobs jobs={list} onChange={reload} />}</Async>
		</div>
	);
}
