import { evaluateAlerts } from "./alerts";
import { probeChannels } from "./channel-probes";
import { cronJobs } from "./cron-jobs";

/**
 * The per-minute cron (wrangler.toml): the operations jobs, each of which decides whether it is due. Each runs even
 * if another fails; a failure still fails the invocation, so it shows in the cron's history.
 */
export async function operations(controller: ScheduledController, env: Env): Promise<void> {
	const { attempt, settle } = cronJobs(controller.cron);
	const probes = await attempt("channel probes", () => probeChannels(env, controller.scheduledTime));
	if (probes && (probes.probed > 0 || probes.pruned > 0)) console.log(JSON.stringify({ level: "info", cron: controller.cron, channel_probes: probes }));
	const alerts = await attempt("alerts", () => evaluateAlerts(env, controller.scheduledTime));
	if (alerts) console.log(JSON.stringify({ level: "info", cron: controller.cron, alerts_fired: alerts }));
	settle("operations jobs failed");
}
