import { evaluateAlerts } from "./alerts";
import { probeChannels } from "./channel-probes";

/**
 * The per-minute cron (wrangler.toml): the operations jobs, each of which decides whether it is due. Each runs even
 * if another fails; a failure still fails the invocation, so it shows in the cron's history.
 */
export async function operations(controller: ScheduledController, env: Env): Promise<void> {
	const failures: unknown[] = [];
	const attempt = <T>(job: string, run: () => Promise<T>): Promise<T | undefined> =>
		run().catch((err: unknown) => {
			console.error(JSON.stringify({ level: "error", cron: controller.cron, job, error: String(err) }));
			failures.push(err);
			return undefined;
		});
	const probes = await attempt("channel probes", () => probeChannels(env, controller.scheduledTime));
	if (probes && (probes.probed > 0 || probes.pruned > 0)) console.log(JSON.stringify({ level: "info", cron: controller.cron, channel_probes: probes }));
	const alerts = await attempt("alerts", () => evaluateAlerts(env, controller.scheduledTime));
	if (alerts) console.log(JSON.stringify({ level: "info", cron: controller.cron, alerts_fired: alerts }));
	if (failures.length > 0) throw new AggregateError(failures, "operations jobs failed");
}
