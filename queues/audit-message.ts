import { z } from "zod";

/**
 * One audit entry as it travels to the usage queue's consumer, which stores it in `audit_log`; shared so both sides
 * agree. The field names are the table's columns. `id` makes a redelivered entry a no-op.
 */
export const auditEntry = z.object({
	id: z.string().min(1).max(64),
	at: z.number().int(),
	actor_type: z.enum(["operator", "user", "key", "system"]),
	actor_id: z.number().int().nullable(),
	user_id: z.number().int().nullable(),
	action: z.string().min(1).max(64),
	object_type: z.string().min(1).max(64).nullable(),
	object_id: z.string().min(1).max(256).nullable(),
	diff: z.record(z.string(), z.unknown()).nullable(),
	result: z.enum(["success", "failure", "denied"]),
	ip: z.string().max(64).nullable(),
	user_agent: z.string().max(512).nullable(),
	request_id: z.string().max(128).nullable(),
});

export type AuditEntry = z.infer<typeof auditEntry>;

/** Entries per message: a diff is bounded (src/audit/redact.ts), so a full message stays well inside 128 KB. */
export const MAX_AUDIT_PER_MESSAGE = 32;

/** Audit entries share the usage queue (and its spool and dead letters): the same durability, no queue of their own. */
export const auditMessage = z.object({ audit: z.array(auditEntry).min(1).max(MAX_AUDIT_PER_MESSAGE) });

export type AuditMessage = z.infer<typeof auditMessage>;
