import type { Context } from "hono";
import { type AuditEntry, type AuditMessage, MAX_AUDIT_PER_MESSAGE } from "../../queues/audit-message";
import type { Principal } from "../auth/principal";
import { d1Spool, sendWithRetries } from "../db/usage-spool";
import type { AppEnv } from "../env";
import { auditDiff, redact } from "./redact";

export type AuditActor = Pick<AuditEntry, "actor_type" | "actor_id" | "user_id">;

/** One action to record. `action` is "<object>.<verb>" (`key.rotate`, `auth.login`, `security.lock`). */
export interface AuditAction {
	action: string;
	objectType?: string;
	objectId?: string | number;
	/** The user the entry concerns when it is not the actor's own: the owner of the object acted on. */
	userId?: number | null;
	/** The object before and after (either absent for a creation or a deletion): only changed fields are kept, redacted. */
	before?: Record<string, unknown>;
	after?: Record<string, unknown>;
	/** Other facts worth keeping (a reason, an amount), redacted too; stored in the diff as `detail`. */
	detail?: Record<string, unknown>;
	result?: AuditEntry["result"];
	/** Who acted, when the request does not say (a sign-in, before anyone is signed in). */
	actor?: AuditActor;
}

/** The system itself: the cron, a consumer, anomaly detection. */
export const SYSTEM: AuditActor = { actor_type: "system", actor_id: null, user_id: null };

/** Who a principal is, for the log: the operator's token or session, a user's session, or a gateway key. */
export function actorOfPrincipal(p: Principal): AuditActor {
	if (p.role === "user" && p.keyId !== null) return { actor_type: "key", actor_id: p.keyId, user_id: p.userId };
	if (p.userId === null) return { actor_type: "operator", actor_id: null, user_id: null };
	return { actor_type: "user", actor_id: p.userId, user_id: p.userId };
}

function actorOf(c: Context<AppEnv>): AuditActor {
	const principal = c.get("principal");
	if (principal) return actorOfPrincipal(principal);
	const caller = c.get("caller");
	if (caller) return { actor_type: "key", actor_id: caller.keyId, user_id: caller.userId };
	return SYSTEM;
}

const clip = (s: string | undefined, max: number): string | null => (s ? s.slice(0, max) : null);

/** Where the request came from, for an entry. */
export interface RequestFacts {
	ip: string | null;
	userAgent: string | null;
	requestId: string | null;
}

export function requestFacts(c: Context<AppEnv>): RequestFacts {
	return {
		ip: clip(c.req.header("cf-connecting-ip"), 64),
		userAgent: clip(c.req.header("user-agent"), 512),
		requestId: c.get("requestId") ?? null,
	};
}

/** The entry an action makes, from an actor and a request's facts. */
export function auditEntryOf(actor: AuditActor, facts: RequestFacts, a: AuditAction, now = Date.now()): AuditEntry {
	const diff = auditDiff(a.before, a.after);
	const withDetail = a.detail === undefined ? diff : { ...(diff ?? {}), detail: redact(a.detail) };
	return {
		id: crypto.randomUUID(),
		at: now,
		...actor,
		user_id: a.userId === undefined ? actor.user_id : a.userId,
		action: a.action,
		object_type: a.objectType ?? null,
		object_id: a.objectId === undefined ? null : String(a.objectId).slice(0, 256),
		diff: withDetail,
		result: a.result ?? "success",
		ip: facts.ip,
		user_agent: facts.userAgent,
		request_id: facts.requestId,
	};
}

/**
 * Records an action of the request: who (the principal, the key, or `actor`), from where, and what changed. Sent
 * after the response (never blocking it) through the usage queue, whose consumer stores it idempotently.
 */
export function audit(c: Context<AppEnv>, a: AuditAction): void {
	const entry = auditEntryOf(a.actor ?? actorOf(c), requestFacts(c), a);
	c.executionCtx.waitUntil(sendAudit(c.env, [entry]));
}

/**
 * Sends entries to the usage queue, retrying as usage messages are; entries the queue still refuses are kept in the
 * usage spool (the cron sends them again), and only when that fails too are they logged in full, for an operator to
 * recover: the durability of usage records.
 */
export async function sendAudit(env: Env, entries: readonly AuditEntry[]): Promise<void> {
	for (let i = 0; i < entries.length; i += MAX_AUDIT_PER_MESSAGE) {
		const message: AuditMessage = { audit: entries.slice(i, i + MAX_AUDIT_PER_MESSAGE) };
		const refusal = await sendWithRetries(env.USAGE_QUEUE, message);
		if (refusal === undefined) continue;
		try {
			await d1Spool(env.DB).keep(message);
			console.error(JSON.stringify({ level: "warn", event: "audit_spooled", error: String(refusal), entries: message.audit.length }));
		} catch (err) {
			console.error(JSON.stringify({ level: "error", event: "audit_send_failed", error: String(refusal), spool_error: String(err), ...message }));
		}
	}
}
