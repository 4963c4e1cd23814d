import type { KeyNotification } from "../queues/notify-message";
import { auditEntryOf, type RequestFacts, SYSTEM, sendAudit } from "../src/audit/record";
import { lockKey } from "../src/auth/key-lock";
import { logEvent } from "../src/observability/request-log";
import type { Finding } from "./anomaly-profile";
import type { Observations } from "./anomaly-types";

/** Anomalies are seen by the system, after the requests: no address, agent or request of their own. */
const NO_FACTS: RequestFacts = { ip: null, userAgent: null, requestId: null };

/**
 * Reports what a key's profile found: one audit entry and one notification (`security.anomaly`) per finding, and
 * under the "lock" policy the key locked (lockKey adds its own entry and notification). Returns whether this call
 * locked it. A failure to report is logged, never thrown: the profile has already moved on.
 */
export async function reportAnomalies(env: Env, obs: Observations, findings: readonly Finding[]): Promise<boolean> {
	if (findings.length === 0) return false;
	const at = new Date().toISOString();
	const entries = findings.map((f) =>
		auditEntryOf(SYSTEM, NO_FACTS, {
			action: "security.anomaly",
			objectType: "key",
			objectId: obs.keyId,
			userId: obs.userId,
			detail: { kind: f.kind, reason: f.reason, ...f.detail },
		}),
	);
	const notices = findings.map(
		(f): KeyNotification => ({
			id: crypto.randomUUID(),
			at,
			type: "security.anomaly",
			key_id: obs.keyId,
			user_id: obs.userId,
			reason: f.reason,
			detail: { kind: f.kind, ...f.detail },
		}),
	);
	for (const n of notices) logEvent(n.type, n);
	try {
		await Promise.all([sendAudit(env, entries), env.NOTIFY_QUEUE.sendBatch(notices.map((body) => ({ body })))]);
	} catch (err) {
		console.error(JSON.stringify({ level: "warn", key_id: obs.keyId, error: `anomaly not queued: ${String(err)}` }));
	}
	if (obs.settings.policy !== "lock") return false;
	const reason = `unusual use: ${findings.map((f) => f.reason).join("; ")}`;
	try {
		return await lockKey(env, obs.keyId, reason, { actor: SYSTEM, facts: NO_FACTS });
	} catch (err) {
		console.error(JSON.stringify({ level: "error", key_id: obs.keyId, error: `anomaly lock failed: ${String(err)}` }));
		return false;
	}
}

/** An address crossed AUTH_FAILURES_PER_MINUTE: one audit entry and one notification (`security.auth_failures`) per burst. */
export async function reportAuthFailures(env: Env, address: string, failures: number, limit: number): Promise<void> {
	const reason = `${failures} failed authentications within a minute from one address (the limit is ${limit}); it is refused until the minute ends`;
	const detail = { address, failures, limit };
	const notice: KeyNotification = {
		id: crypto.randomUUID(),
		at: new Date().toISOString(),
		type: "security.auth_failures",
		key_id: null,
		user_id: null,
		reason,
		detail,
	};
	logEvent(notice.type, notice);
	try {
		await Promise.all([
			sendAudit(env, [
				auditEntryOf(
					SYSTEM,
					{ ...NO_FACTS, ip: address },
					{ action: "security.auth_failures", objectType: "address", objectId: address, detail, result: "failure" },
				),
			]),
			env.NOTIFY_QUEUE.send(notice),
		]);
	} catch (err) {
		console.error(JSON.stringify({ level: "warn", event: "security.auth_failures", error: `not queued: ${String(err)}` }));
	}
}
