import { z } from "zod";
import { auditEntry } from "../../queues/audit-message";
import { cursorOf, pageLimit } from "./shared/pagination";
import { positiveId } from "./shared/params";
import { instant } from "./usage-schemas";

/** An action name, or a family of them: `security.*` is every action that starts with `security.`. */
const actionFilter = z
	.string()
	.trim()
	.regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, "expected an action (key.create) or a prefix ending in .* (security.*)")
	.max(64);

export const auditFilters = z.object({
	action: actionFilter.optional().describe("One action (key.create), or every action of a prefix: security.*"),
	actor_type: auditEntry.shape.actor_type.optional(),
	user_id: positiveId.optional().describe("The user an entry concerns; a user may name only themself (403 otherwise) and always sees only their own"),
	object_type: z.string().min(1).max(64).optional(),
	object_id: z.string().min(1).max(256).optional(),
	result: auditEntry.shape.result.optional(),
	from: instant.optional().describe("Inclusive: an ISO 8601 date or date-time, or milliseconds since the epoch"),
	to: instant.optional().describe("Exclusive: an ISO 8601 date or date-time, or milliseconds since the epoch"),
});

export type AuditFilters = z.infer<typeof auditFilters>;

/** Newest first, so a page ends at its oldest entry: (at, id) of that entry. */
export const auditCursor = cursorOf(z.tuple([z.number().int(), z.string()]));

export const auditQuery = auditFilters.extend({ limit: pageLimit(50, 200), cursor: auditCursor.optional().describe("The next_cursor of the previous page") });

export const auditItem = z.object({
	id: z.string(),
	at: z.string(),
	actor_type: auditEntry.shape.actor_type,
	/** A session's user id, a key's id; null for the operator's token and the system. */
	actor_id: z.number().nullable(),
	/** The user the entry concerns: the actor's own, or the owner of the object acted on. */
	user_id: z.number().nullable(),
	action: z.string(),
	object_type: z.string().nullable(),
	object_id: z.string().nullable(),
	/** {before, after} of the fields that changed, and `detail`; secrets redacted. */
	diff: z.record(z.string(), z.unknown()).nullable(),
	result: auditEntry.shape.result,
	ip: z.string().nullable(),
	user_agent: z.string().nullable(),
	request_id: z.string().nullable(),
});

export const auditPage = z.object({ data: z.array(auditItem), has_more: z.boolean(), next_cursor: z.string().nullable() });
