import { type UsageRecord, usageMessage, usageRecord } from "./usage-message";

// The record's fields are the table's columns; SQLite reads each message's records out of one JSON parameter,
// which keeps a message to one statement (D1 allows only 100 bound parameters, fewer than two rows' worth).
// Plain D1 statements here: drizzle has no insert-from-json_each, and its raw queries do not batch.
const columns = Object.keys(usageRecord.shape);
const INSERT_RECORDS = `INSERT INTO usage_logs (${columns.join(", ")})
	SELECT ${columns.map((c) => `value ->> '${c}'`).join(", ")} FROM json_each(?1) WHERE true
	ON CONFLICT (request_id) DO NOTHING`;
// A charged request debits its user's balance through the ledger (whose trigger moves the balance and the key's
// spend). The idempotency key makes a redelivered message charge nothing twice, as the primary key above does
// for its row.
const CHARGE_RECORDS = `INSERT INTO ledger_entries (user_id, token_id, kind, amount_nusd, request_id, idempotency_key, created_at)
	SELECT value ->> 'user_id', value ->> 'token_id', 'usage', -(value ->> 'cost_nusd'), value ->> 'request_id',
		'usage:' || (value ->> 'request_id'), value ->> 'created_at'
	FROM json_each(?1) WHERE (value ->> 'cost_nusd') > 0 AND (value ->> 'user_id') IS NOT NULL
	ON CONFLICT (idempotency_key) DO NOTHING`;
const MARK_USED = "UPDATE tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2) WHERE id = ?1";

/**
 * Writes the records of several messages in one D1 batch, which is one transaction: rows, charges and balances
 * are written together or not at all. Also the replay of a dead-lettered message.
 */
export async function writeUsage(env: Env, messages: UsageRecord[][]): Promise<void> {
	const lastUsed = new Map<number, number>();
	for (const records of messages) {
		for (const r of records) if (r.token_id !== null) lastUsed.set(r.token_id, Math.max(lastUsed.get(r.token_id) ?? 0, r.created_at));
	}
	const insert = env.DB.prepare(INSERT_RECORDS);
	const charge = env.DB.prepare(CHARGE_RECORDS);
	const markUsed = env.DB.prepare(MARK_USED);
	await env.DB.batch([
		...messages.flatMap((records) => {
			const json = JSON.stringify(records);
			return [insert.bind(json), charge.bind(json)];
		}),
		...[...lastUsed].map(([id, at]) => markUsed.bind(id, at)),
	]);
}

/**
 * Writes a batch of usage messages in one D1 round trip. The request id is the primary key and duplicates are
 * ignored, so a redelivered message never makes a second row. Each message is acknowledged on its own; a
 * message that cannot be read is retried and, after max_retries, lands in the dead-letter queue; if the write
 * fails, every message is retried.
 */
export async function consumeUsage(batch: MessageBatch, env: Env): Promise<void> {
	const valid: { msg: Message; records: UsageRecord[] }[] = [];
	for (const msg of batch.messages) {
		const parsed = usageMessage.safeParse(msg.body);
		if (parsed.success) valid.push({ msg, records: parsed.data.records });
		else {
			console.error(JSON.stringify({ level: "error", queue: batch.queue, message_id: msg.id, error: "invalid usage message" }));
			msg.retry();
		}
	}
	if (valid.length === 0) return;

	try {
		await writeUsage(
			env,
			valid.map((v) => v.records),
		);
		for (const { msg } of valid) msg.ack();
	} catch (err) {
		console.error(JSON.stringify({ level: "error", queue: batch.queue, error: String(err), messages: valid.length }));
		for (const { msg } of valid) msg.retry();
	}
}
