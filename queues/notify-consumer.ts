import { config } from "../src/env";
import { notification } from "./notify-message";
import { webhookRequest } from "./webhook-request";

const TIMEOUT_MS = 10_000;

/** Exponential backoff for a webhook that failed, from 10 s up to 10 min. */
const delaySeconds = (attempts: number) => Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * Delivers operator notifications to ALERT_WEBHOOK_URL as POSTs in ALERT_WEBHOOK_FORMAT (signed with
 * ALERT_WEBHOOK_SECRET when set; queues/webhook-request.ts), each on its own: a 2xx acknowledges it;
 * anything else retries it later with backoff, and after the queue's max_retries it lands in the dead-letter
 * queue (and so in dead_jobs, replayable). Without a URL, notifications are dropped.
 */
export async function consumeNotifications(batch: MessageBatch, env: Env): Promise<void> {
	const { alertWebhookUrl: url, alertWebhookFormat: format, alertWebhookSecret: secret } = config(env);
	await Promise.all(
		batch.messages.map(async (msg) => {
			const parsed = notification.safeParse(msg.body);
			if (!parsed.success || !url) return msg.ack();
			try {
				const req = await webhookRequest(url, format, secret, parsed.data);
				const res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
				await res.body?.cancel();
				if (res.ok) return msg.ack();
			} catch {
				// Unreachable or too slow: retried like a non-2xx answer.
			}
			msg.retry({ delaySeconds: delaySeconds(msg.attempts) });
		}),
	);
}
