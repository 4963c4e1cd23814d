/** Messages per minute over the last hour, all queues together: those done, and those that failed. */

import { Chart } from "../../components/chart";
import type { QueueState } from "./api";
import { t } from "./strings";

const MINUTES = 60;

export function Throughput({ queues }: { queues: QueueState[] }) {
	const last = Math.floor(Date.now() / 60_000);
	// Every minute of the hour, those without messages as zero, so the line does not skip quiet minutes.
	const x = Array.from({ length: MINUTES }, (_, i) => (last - MINUTES + 1 + i) * 60);
	const done = x.map(() => 0);
	const failed = x.map(() => 0);
	for (const q of queues) {
		for (const m of q.minutes) {
			const i = x.indexOf(Math.floor(Date.parse(m.minute) / 1000));
			if (i < 0) continue;
			done[i] = (done[i] ?? 0) + m.acked;
			failed[i] = (failed[i] ?? 0) + m.retried + m.dead;
		}
	}
	return (
		<div class="card" data-testid="jobs-chart">
			<Chart
				title={t("chartTitle")}
				x={x}
				series={[
					{ label: t("acked"), values: done, color: "#1a7f37" },
					{ label: t("failed"), values: failed, color: "#cf222e" },
				]}
				height={180}
			/>
		</div>
	);
}
