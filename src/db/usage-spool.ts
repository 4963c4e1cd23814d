import type { AuditMessage } from "../../queues/audit-message";
import type { UsageMessage } from "../../queues/usage-message";

const KEEP = "INSERT INTO usage_spool (body) VALUES (?1)";
const OLDEST = "SELECT id, body FROM usage_spool ORDER BY id LIMIT ?1";
const FORGET = "DELETE FROM usage_spool WHERE id IN (SELECT value FROM json_each(?1))";

/** Where usage (and audit) messages wait when the queue refused them: D1, written on that failure path only. */
export interface UsageSpool {
	keep(message: UsageMessage | AuditMessage): Promise<void>;
	/** Sends up to `limit` of the oldest waiting messages to `queue`, removing those sent; returns how many were sent. */
	drain(queue: Queue, limit: number): Promise<number>;
}

/**
 * The spool in D1's `usage_spool`. D1 rather than the key governor's storage: most requests have no governor, and
 * a spooled message holds records of many keys. A drain is at-least-once (a message sent and not yet deleted when
 * the isolate dies is sent again), which the consumer absorbs: it is idempotent on request id and ledger key.
 */
export function d1Spool(database: D1Database): UsageSpool {
	return {
		async keep(message) {
			await database.prepare(KEEP).bind(JSON.stringify(message)).run();
		},
		async drain(queue, limit) {
			const { results } = await database.prepare(OLDEST).bind(limit).all<{ id: number; body: string }>();
			const sent: number[] = [];
			try {
				for (const row of results) {
					// Sent as stored: the consumer judges each record, as it does those of any message.
					const body: unknown = JSON.parse(row.body);
					await queue.send(body, { contentType: "json" });
					sent.push(row.id);
				}
			} finally {
				if (sent.length > 0) await database.prepare(FORGET).bind(JSON.stringify(sent)).run();
			}
			return sent.length;
		},
	};
}

/** Waits before the second and third tries of a send the queue refused. */
export const SEND_RETRY_DELAYS_MS: readonly number[] = [100, 400];

/**
 * Sends a usage (or audit) message, trying again after each of `delays` when the queue refuses it: undefined once the
 * queue took it, the last refusal if it never did (the caller then spools it).
 */
export async function sendWithRetries(queue: Queue, message: UsageMessage | AuditMessage, delays = SEND_RETRY_DELAYS_MS): Promise<unknown> {
	for (let attempt = 0; ; attempt++) {
		try {
			await queue.send(message, { contentType: "json" });
			return undefined;
		} catch (err) {
			const delay = delays[attempt];
			if (delay === undefined) return err;
			await new Promise((resolve) => setTimeout(resolve, delay));
		}
	}
}
