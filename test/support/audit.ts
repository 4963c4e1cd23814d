import { env } from "cloudflare:workers";

export interface AuditRow {
	id: string;
	at: number;
	actor_type: string;
	actor_id: number | null;
	user_id: number | null;
	action: string;
	object_type: string | null;
	object_id: string | null;
	diff: string | null;
	result: string;
	ip: string | null;
	user_agent: string | null;
	request_id: string | null;
}

/** The audit entries of `action` on one object, as the usage queue's consumer wrote them. */
export async function auditRows(action: string, objectId?: string | number): Promise<AuditRow[]> {
	const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE action = ?1 AND (?2 IS NULL OR object_id = ?2) ORDER BY at, id")
		.bind(action, objectId === undefined ? null : String(objectId))
		.all<AuditRow>();
	return results;
}

/** Waits until `action` on the object has `count` entries (they arrive through the queue), and returns them. */
export async function awaitAudit(action: string, objectId?: string | number, count = 1, timeoutMs = 8_000): Promise<AuditRow[]> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const rows = await auditRows(action, objectId);
		if (rows.length >= count) return rows;
		if (Date.now() > until) throw new Error(`${rows.length} audit entries for ${action} ${objectId ?? ""}, expected ${count}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
