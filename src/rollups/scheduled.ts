import { pruneSessions } from "../auth/sessions";
import { config } from "../env";
import { pruneUsageLogs, retentionCutoff } from "./retention";
import { rollupRecent } from "./rollup";

/**
 * The cron trigger: refreshes the recent rollups, then prunes old raw logs and sessions that can no longer be used. Each job runs even if the other
 * fails (a broken rollup must not let the logs grow without bound); a failure still fails the invocation, so
 * it shows in the cron's history.
 */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
	const now = controller.scheduledTime;
	const failures: unknown[] = [];
	const attempt = <T>(job: string, run: () => Promise<T>): Promise<T | undefined> =>
		run().catch((err: unknown) => {
			console.error(JSON.stringify({ level: "error", cron: controller.cron, job, error: String(err) }));
			failures.push(err);
			return undefined;
		});

	const rows = await attempt("rollup", () => rollupRecent(env, now));
	const pruned = await attempt("retention", () => pruneUsageLogs(env, retentionCutoff(now, config(env).usageRetentionDays)));
	const sessions = await attempt("sessions", () => pruneSessions(env, now));
	console.log(
		JSON.stringify({
			level: "info",
			cron: controller.cron,
			rollup_rows: rows,
			pruned_logs: pruned?.deleted,
			pruned_all: pruned?.done,
			pruned_sessions: sessions,
		}),
	);
	if (failures.length > 0) throw new AggregateError(failures, "cron jobs failed");
}
