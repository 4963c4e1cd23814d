import type { KeyNotification } from "../../queues/notify-message";
import { auditEntryOf, type RequestFacts, SYSTEM, sendAudit } from "../audit/record";
import { config } from "../env";

const DAY = 86_400_000;
/** Keys handled per run; more wait for the next run, ten minutes on. */
const PER_RUN = 200;
const NO_REQUEST: RequestFacts = { ip: null, userAgent: null, requestId: null };

/**
 * Renewal needs the key's own `auto_rotate` and no expiry bound of the operator's (src/auth/key-limits.ts): the cron
 * must not loosen what the operator set, so such a key is reminded of instead.
 */
const RENEWABLE = "auto_rotate = 1 AND json_extract(operator_limits, '$.expiresAt') IS NULL";
const DUE = "status = 'active' AND expires_at > ?1 AND expires_at <= ?2";

/** Claimed in one statement, so that two runs at once remind once; released if the reminder could not be sent. */
const CLAIM_REMINDERS = `UPDATE tokens SET expiry_notified_at = ?1 WHERE id IN (
	SELECT id FROM tokens WHERE ${DUE} AND expiry_notified_at IS NULL AND NOT (${RENEWABLE}) LIMIT ${PER_RUN})
	RETURNING id, user_id, name, expires_at`;
const RELEASE = "UPDATE tokens SET expiry_notified_at = NULL WHERE id IN (SELECT value FROM json_each(?1))";

/**
 * An auto-renewed key's expiry moves on by its lifetime, counted from its creation or from the expiry it was last
 * renewed from, which `expiry_notified_at` keeps for such a key (SET reads the row as it was). A lifetime no longer
 * than the reminder window is stretched to twice the window, so that the next renewal is due only after this one.
 */
const RENEW = `UPDATE tokens SET
	expires_at = expires_at + max(expires_at - coalesce(expiry_notified_at, created_at), ?3 * 2),
	expiry_notified_at = expires_at
	WHERE id IN (SELECT id FROM tokens WHERE ${DUE} AND ${RENEWABLE}
		AND (expiry_notified_at IS NULL OR expiry_notified_at < expires_at - ?3) LIMIT ${PER_RUN})
	RETURNING id, user_id, name, expires_at, expiry_notified_at AS renewed_from`;

interface Claimed {
	id: number;
	user_id: number;
	name: string;
	expires_at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function notice(type: KeyNotification["type"], row: Claimed, reason: string, now: number): KeyNotification {
	return {
		id: crypto.randomUUID(),
		at: iso(now),
		type,
		key_id: row.id,
		user_id: row.user_id,
		reason,
		detail: { name: row.name, expires_at: iso(row.expires_at) },
	};
}

async function deliver(env: Env, events: KeyNotification[]): Promise<void> {
	for (let i = 0; i < events.length; i += 100) await env.NOTIFY_QUEUE.sendBatch(events.slice(i, i + 100).map((body) => ({ body })));
}

/**
 * The upkeep cron's key-expiry job. A key expiring within KEY_EXPIRY_REMINDER_DAYS (0: never) is reminded of once:
 * a `key.expiring` notification and a `key.expiring` audit entry (the dashboard marks it too). A key with
 * `auto_rotate` is renewed instead (README, "Expiry reminders"): a secret the cron minted would reach nobody, so
 * its secret stays and its expiry moves on; its owner hears of it (`key.rotated`) and the audit log keeps the
 * change (`key.update` by the system). Rotating the secret stays a person's act (POST /api/tokens/{id}/rotate).
 */
export async function keyExpiryUpkeep(env: Env, now: number): Promise<{ reminded: number; renewed: number }> {
	const window = config(env).keyExpiryReminderDays * DAY;
	if (window === 0) return { reminded: 0, renewed: 0 };
	const horizon = now + window;

	const { results: due } = await env.DB.prepare(CLAIM_REMINDERS).bind(now, horizon).run<Claimed>();
	try {
		await Promise.all([
			deliver(
				env,
				due.map((row) => notice("key.expiring", row, `Key '${row.name}' expires at ${iso(row.expires_at)}`, now)),
			),
			sendAudit(
				env,
				due.map((row) =>
					auditEntryOf(
						SYSTEM,
						NO_REQUEST,
						{ action: "key.expiring", objectType: "key", objectId: row.id, userId: row.user_id, detail: { expires_at: iso(row.expires_at) } },
						now,
					),
				),
			),
		]);
	} catch (err) {
		await env.DB.prepare(RELEASE)
			.bind(JSON.stringify(due.map((r) => r.id)))
			.run();
		throw err;
	}

	const { results: renewed } = await env.DB.prepare(RENEW).bind(now, horizon, window).run<Claimed & { renewed_from: number }>();
	await Promise.all([
		deliver(
			env,
			renewed.map((row) =>
				notice("key.rotated", row, `Key '${row.name}' was renewed until ${iso(row.expires_at)} (auto_rotate); its secret is unchanged`, now),
			),
		),
		sendAudit(
			env,
			renewed.map((row) =>
				auditEntryOf(
					SYSTEM,
					NO_REQUEST,
					{
						action: "key.update",
						objectType: "key",
						objectId: row.id,
						userId: row.user_id,
						before: { expires_at: iso(row.renewed_from) },
						after: { expires_at: iso(row.expires_at) },
						detail: { reason: "auto_rotate renewal" },
					},
					now,
				),
			),
		),
	]);
	return { reminded: due.length, renewed: renewed.length };
}
