import { describeIssues } from "../src/lib/zod-issue";
import { type AuditEntry, auditEntry, auditMessage } from "./audit-message";
import { type DeadLetter, fileDead } from "./dead-letters";
import { readinessMessage, type UsageRecord, usageEnvelope, usageRecord } from "./usage-message";

// The record's fields are the table's columns; SQLite reads each message's records out of one JSON parameter,
// which keeps a message to one statement (D1 allows only 100 bound parameters, fewer than two rows' worth).
// Plain D1 statements here: drizzle has no insert-from-json_each, and its raw queries do not batch.
const columns = Object.keys(usageRecord.shape);
const INSERT_RECORDS = `INSERT INTO usage_logs (${columns.join(", ")})
	SELECT ${columns.map((c) => `value ->> '${c}'`).join(", ")} FROM json_each(?1) WHERE true
	ON CONFLICT (request_id) DO NOTHING`;
// A charged request debits its user's balance through the ledger (whose trigger moves the balance and the key's
// spend). The idempotency key makes a redelivered message charge nothing twice, as the primary key above does
// for its row. The request id is always the gateway's own (src/middleware/request-ids.ts), never a client's.
const CHARGE_RECORDS = `INSERT INTO ledger_entries (user_id, token_id, kind, amount_nusd, request_id, idempotency_key, created_at)
	SELECT value ->> 'user_id', value ->> 'token_id', 'usage', -(value ->> 'cost_nusd'), value ->> 'request_id',
		'usage:' || (value ->> 'request_id'), value ->> 'created_at'
	FROM json_each(?1) WHERE (value ->> 'cost_nusd') > 0 AND (value ->> 'user_id') IS NOT NULL
	ON CONFLICT (idempotency_key) DO NOTHING`;
const MARK_USED = "UPDATE tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2), request_count = request_count + ?3 WHERE id = ?1";
// Audit entries ride the same queue; their id makes a redelivered one a no-op.
const auditColumns = Object.keys(auditEntry.shape);
const INSERT_AUDIT = `INSERT INTO audit_log (${auditColumns.join(", ")})
	SELECT ${auditColumns.map((c) => (c === "diff" ? "value -> 'diff'" : `value ->> '${c}'`)).join(", ")} FROM json_each(?1) WHERE true
	ON CONFLICT (id) DO NOTHING`;

const USAGE_QUEUE = "edge-gateway-usage";

/**
 * Writes the records of several messages, and the dead letters of records that could not be read, in one D1 batch,
 * which is one transaction: rows, charges, balances and dead letters are written together or not at all. Also the
 * replay of a dead-lettered message.
 */
export async function writeUsage(env: Env, messages: UsageRecord[][], dead: readonly DeadLetter[] = [], audit: readonly AuditEntry[] = []): Promise<void> {
	const lastUsed = new Map<number, { at: number; count: number }>();
	for (const records of messages) {
		for (const r of records) {
			if (r.token_id === null) continue;
			const seen = lastUsed.get(r.token_id);
			lastUsed.set(r.token_id, { at: Math.max(seen?.at ?? 0, r.created_at), count: (seen?.count ?? 0) + 1 });
		}
	}
	const insert = env.DB.prepare(INSERT_RECORDS);
	const charge = env.DB.prepare(CHARGE_RECORDS);
	const markUsed = env.DB.prepare(MARK_USED);
	await env.DB.batch([
		...messages
			.filter((records) => records.length > 0)
			.flatMap((records) => {
				const json = JSON.stringify(records);
				return [insert.bind(json), charge.bind(json)];
			}),
		...[...lastUsed].map(([id, { at, count }]) => markUsed.bind(id, at, count)),
		...(audit.length > 0 ? [env.DB.prepare(INSERT_AUDIT).bind(JSON.stringify(audit))] : []),
		...fileDead(env.DB, USAGE_QUEUE, dead),
	]);
}

/** A message's records split into those the schema accepts and dead letters for the others, each on its own. */
function judge(msg: Message, raw: readonly unknown[]): { records: UsageRecord[]; dead: DeadLetter[] } {
	const records: UsageRecord[] = [];
	const dead: DeadLetter[] = [];
	raw.forEach((candidate, i) => {
		const parsed = usageRecord.safeParse(candidate);
		if (parsed.success) records.push(parsed.data);
		// Filed as a message of one record, which is what replay takes (it repairs over-long text on the way).
		else dead.push({ id: `${msg.id}#${i}`, body: { records: [candidate] }, attempts: msg.attempts, error: describeIssues(parsed.error.issues).message });
	});
	return { records, dead };
}

/**
 * Writes a batch of usage messages in one D1 round trip. Each record is judged on its own: a record the schema
 * refuses is filed in `dead_jobs` at once (replayable), and the valid records it came with, which may be other
 * tenants', are stored. The request id is the primary key and duplicates are ignored, so a redelivered message
 * never makes a second row. A message whose envelope cannot be read is retried and, after max_retries, lands in the
 * dead-letter queue whole; if the write fails, every message is retried.
 */
export async function consumeUsage(batch: MessageBatch, env: Env): Promise<void> {
	const readable: { msg: Message; records: UsageRecord[] }[] = [];
	const dead: DeadLetter[] = [];
	const audit: AuditEntry[] = [];
	for (const msg of batch.messages) {
		if (readinessMessage.safeParse(msg.body).success) {
			msg.ack();
			continue;
		}
		const entries = auditMessage.safeParse(msg.body);
		if (entries.success) {
			audit.push(...entries.data.audit);
			readable.push({ msg, records: [] });
			continue;
		}
		const envelope = usageEnvelope.safeParse(msg.body);
		if (!envelope.success) {
			console.error(JSON.stringify({ level: "error", queue: batch.queue, message_id: msg.id, error: "invalid usage message" }));
			msg.retry();
			continue;
		}
		const judged = judge(msg, envelope.data.records);
		readable.push({ msg, records: judged.records });
		dead.push(...judged.dead);
	}
	if (readable.length === 0) return;
	if (dead.length > 0) {
		console.error(
			JSON.stringify({ level: "error", queue: batch.queue, event: "usage_records_dead", records: dead.map((d) => ({ id: d.id, error: d.error })) }),
		);
	}

	try {
		await writeUsage(
			env,
			readable.map((v) => v.records),
			dead,
			audit,
		);
		for (const { msg } of readable) msg.ack();
	} catch (err) {
		console.error(JSON.stringify({ level: "error", queue: batch.queue, error: String(err), messages: readable.length }));
		for (const { msg } of readable) msg.retry();
	}
}
