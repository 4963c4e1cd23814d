import { sql } from "drizzle-orm";
import { db } from "../src/db/client";
import { tokens, usageLogs } from "../src/db/schema";
import { type UsageMessage, usageMessage } from "./usage-message";

function toRow(m: UsageMessage) {
	return {
		requestId: m.request_id,
		tokenId: m.token_id,
		userId: m.user_id,
		channelId: m.channel_id,
		endpoint: m.endpoint,
		model: m.model,
		upstreamModel: m.upstream_model,
		promptTokens: m.prompt_tokens,
		completionTokens: m.completion_tokens,
		cachedTokens: m.cached_tokens,
		costUsd: m.cost_usd,
		latencyMs: m.latency_ms,
		ttfbMs: m.ttfb_ms,
		stream: m.stream,
		attempts: m.attempts,
		status: m.status,
		errorCode: m.error_code,
		estimated: m.estimated,
		partial: m.partial,
		createdAt: m.created_at,
	};
}

/**
 * Writes a batch of usage records in one D1 round trip. The request id is the primary key and duplicates are
 * ignored, so a redelivered message never makes a second row. Each message is acknowledged on its own; a
 * message that cannot be stored is retried and, after max_retries, lands in the dead-letter queue.
 */
export async function consumeUsage(batch: MessageBatch, env: Env): Promise<void> {
	const valid: { msg: Message; body: UsageMessage }[] = [];
	for (const msg of batch.messages) {
		const parsed = usageMessage.safeParse(msg.body);
		if (parsed.success) valid.push({ msg, body: parsed.data });
		else {
			console.error(JSON.stringify({ level: "error", queue: batch.queue, message_id: msg.id, error: "invalid usage message" }));
			msg.retry();
		}
	}
	if (valid.length === 0) return;

	const d = db(env);
	const lastUsed = new Map<number, number>();
	for (const { body } of valid) {
		if (body.token_id !== null) lastUsed.set(body.token_id, Math.max(lastUsed.get(body.token_id) ?? 0, body.created_at));
	}
	// D1 allows 100 bound parameters a statement, so one INSERT a row, all sent as one batch.
	const [first, ...rest] = [
		...valid.map(({ body }) => d.insert(usageLogs).values(toRow(body)).onConflictDoNothing()),
		...[...lastUsed].map(([id, at]) =>
			d
				.update(tokens)
				.set({ lastUsedAt: sql`max(coalesce(${tokens.lastUsedAt}, 0), ${at})` })
				.where(sql`${tokens.id} = ${id}`),
		),
	];
	try {
		if (first) await d.batch([first, ...rest]);
		for (const { msg } of valid) msg.ack();
	} catch (err) {
		console.error(JSON.stringify({ level: "error", queue: batch.queue, error: String(err), messages: valid.length }));
		for (const { msg } of valid) msg.retry();
	}
}
