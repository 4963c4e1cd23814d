import type { KeyNotification } from "../../queues/notify-message";
import { type AuditActor, auditEntryOf, type RequestFacts, sendAudit } from "../audit/record";

/** Who locked a key, and from where: anomaly detection (the system), a leak report (a person), the relay's request. */
export interface LockedBy {
	actor: AuditActor;
	facts: RequestFacts;
}

const LOCK = `UPDATE tokens SET status = 'locked', locked_reason = ?2, locked_at = ?3
	WHERE id = ?1 AND status <> 'locked' RETURNING user_id`;

/**
 * Locks a key (`status: "locked"`) until its owner or the operator unlocks it: one audit entry (`security.lock`) and
 * one notification (`security.locked`), only when this call is the one that locked it, so that a burst of requests
 * seeing the same anomaly locks and reports once. Returns whether it did. The caller forgets the key in its isolate
 * (`forgetCallers`); other isolates refuse it within KEY_CACHE_SECONDS.
 */
export async function lockKey(env: Env, keyId: number, reason: string, by: LockedBy, now = Date.now()): Promise<boolean> {
	const locked = await env.DB.prepare(LOCK).bind(keyId, reason.slice(0, 500), now).first<{ user_id: number }>();
	if (!locked) return false;
	const event: KeyNotification = {
		id: crypto.randomUUID(),
		at: new Date(now).toISOString(),
		type: "security.locked",
		key_id: keyId,
		user_id: locked.user_id,
		reason: reason.slice(0, 500),
	};
	await Promise.all([
		sendAudit(env, [
			auditEntryOf(by.actor, by.facts, { action: "security.lock", objectType: "key", objectId: keyId, userId: locked.user_id, detail: { reason } }, now),
		]),
		env.NOTIFY_QUEUE.send(event),
	]);
	return true;
}
