import type { Notification } from "./notify-message";

const usd = (n: number) => `$${n.toFixed(2)}`;

/** An alert's value as its metric reads: a rate in percent, times in ms, spend in dollars. */
function measured(metric: string, value: number): string {
	if (metric === "error_rate") return `${(value * 100).toFixed(1)}%`;
	if (metric === "spend_usd") return usd(value);
	return `${Math.round(value)} ms`;
}

/** One readable line for a chat room (the Slack, DingTalk and Feishu formats); the JSON format sends the event itself. */
export function summary(n: Notification): string {
	switch (n.type) {
		case "channel.opened":
		case "channel.recovered":
		case "channel.disabled": {
			const what = n.model === undefined ? `Channel ${n.channel_id}` : `Channel ${n.channel_id} (model ${n.model})`;
			const verb = { "channel.opened": "stopped serving (breaker open)", "channel.recovered": "recovered", "channel.disabled": "was disabled" }[n.type];
			return `${what} ${verb}${n.reason ? `: ${n.reason}` : ""}`;
		}
		case "budget.threshold":
		case "budget.exhausted":
			return `Budget ${n.type === "budget.exhausted" ? "exhausted" : `at ${n.percent}%`}: ${n.scope} ${n.scope_id} spent ${usd(n.spent_usd)} of ${usd(n.limit_usd)} (${n.period})`;
		case "alert.fired": {
			const subject = n.scope === "all" ? "the gateway" : `${n.scope} ${n.subject}`;
			return `Alert "${n.rule}": ${n.metric} ${measured(n.metric, n.value)} > ${measured(n.metric, n.threshold)} for ${subject} over ${n.window_minutes} min (${n.requests} requests)`;
		}
		case "job.dead":
			return `Dead job ${n.dead_job_id} on queue ${n.queue} after ${n.attempts} attempts${n.error ? `: ${n.error}` : ""}`;
		case "security.anomaly":
		case "security.locked":
		case "security.auth_failures":
		case "key.expiring":
		case "key.rotated": {
			const what = n.key_id === null ? "" : ` key ${n.key_id}${n.user_id === null ? "" : ` (user ${n.user_id})`}`;
			const verb = {
				"security.anomaly": "Unusual use of",
				"security.locked": "Locked",
				"security.auth_failures": "Repeated authentication failures",
				"key.expiring": "Expiring soon:",
				"key.rotated": "Rotated before it expired:",
			}[n.type];
			return `${verb}${what}: ${n.reason}`;
		}
	}
}
