import { eq } from "drizzle-orm";
import type { Notification } from "../../queues/notify-message";
import { db } from "../db/client";
import { alertRules } from "../db/schema";
import { logEvent } from "../observability/request-log";
import { type AlertRule, type Measurement, measure } from "./alert-measure";

const RECENT_FIRINGS = "SELECT DISTINCT subject FROM alert_firings WHERE rule_id = ?1 AND created_at > ?2";
const INSERT_FIRING = `INSERT INTO alert_firings (rule_id, subject, value, threshold, requests, created_at)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id`;

/** The subjects of a rule that passed its threshold and are out of their cooldown. */
async function due(env: Env, rule: AlertRule, now: number): Promise<Measurement[]> {
	const over = (await measure(env, rule, now)).filter((m) => m.value > rule.threshold);
	if (over.length === 0) return [];
	const { results } = await env.DB.prepare(RECENT_FIRINGS)
		.bind(rule.id, now - rule.cooldownMinutes * 60_000)
		.all<{ subject: string }>();
	const cooling = new Set(results.map((r) => r.subject));
	return over.filter((m) => !cooling.has(m.subject));
}

/**
 * Fires a rule for its subjects: the firings are written first (they are the cooldown's memory, so a failed send is
 * not repeated every minute), then one `alert.fired` notification each goes to the webhook.
 */
async function fire(env: Env, rule: AlertRule, subjects: readonly Measurement[], now: number): Promise<void> {
	const insert = env.DB.prepare(INSERT_FIRING);
	const written = await env.DB.batch<{ id: number }>(subjects.map((m) => insert.bind(rule.id, m.subject, m.value, rule.threshold, m.requests, now)));
	const at = new Date(now).toISOString();
	const events = subjects.map(
		(m, i): Notification => ({
			id: `alert-${written[i]?.results[0]?.id ?? `${rule.id}-${m.subject}-${now}`}`,
			at,
			type: "alert.fired",
			rule_id: rule.id,
			rule: rule.name,
			metric: rule.metric,
			scope: rule.scope,
			subject: m.subject,
			value: m.value,
			threshold: rule.threshold,
			window_minutes: rule.windowMinutes,
			requests: m.requests,
		}),
	);
	for (const event of events) logEvent(event.type, event);
	await env.NOTIFY_QUEUE.sendBatch(events.map((body) => ({ body })));
}

/**
 * The per-minute job: evaluates every enabled alert rule over the usage logs of its window, at most one firing per
 * rule and subject per cooldown. A rule that fails is logged and the others still run. Returns the firings.
 */
export async function evaluateAlerts(env: Env, now: number): Promise<number> {
	const rules = await db(env).select().from(alertRules).where(eq(alertRules.enabled, true));
	let fired = 0;
	const failures: unknown[] = [];
	for (const rule of rules) {
		try {
			const subjects = await due(env, rule, now);
			if (subjects.length > 0) await fire(env, rule, subjects, now);
			fired += subjects.length;
		} catch (err) {
			console.error(JSON.stringify({ level: "error", job: "alerts", rule_id: rule.id, error: String(err) }));
			failures.push(err);
		}
	}
	if (failures.length > 0) throw new AggregateError(failures, "alert rules failed");
	return fired;
}
