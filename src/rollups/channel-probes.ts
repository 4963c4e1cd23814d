import { desc, eq, lt, sql } from "drizzle-orm";
import type { ChannelNotification } from "../../queues/notify-message";
import { currentPrices } from "../billing/price-book";
import { type LiveChannel, toLive } from "../channels/live";
import { type ProbeResult, probeChannel } from "../channels/probe";
import { db } from "../db/client";
import { channelProbes, channels } from "../db/schema";
import { config } from "../env";
import { logEvent } from "../observability/request-log";
import { observe } from "../relay/breakers";

/** Probes per cron run, the longest-waiting first: each is a subrequest, and the rest are still due next minute. */
const PROBES_PER_RUN = 20;
/** Probes under way at once. */
const CONCURRENCY = 4;
/** A probe that takes longer has failed: the cron runs every minute. */
const PROBE_TIMEOUT_MS = 10_000;
/** Probe rows kept (and longer when the interval is long: a run of failures must still be readable). */
const KEEP_MS = 3 * 24 * 60 * 60 * 1000;

export interface ProbeRun {
	probed: number;
	disabled: number;
	enabled: number;
	pruned: number;
}

/**
 * The active health checks (the per-minute cron): every enabled channel whose last probe is older than
 * CHANNEL_PROBE_INTERVAL_MINUTES is probed (channels/probe.ts) and the probe recorded in channel_probes.
 * CHANNEL_PROBE_FAILURES_TO_DISABLE failures in a row disable the channel in its breaker, marked as the probes'
 * doing; the first success after that enables it again. An operator's disabling is the channel's status, which
 * the probes never touch (a disabled channel is not probed), and the upstream's refusal of a key (the breaker's
 * own disabling) waits for an operator: neither is undone by a probe.
 */
export async function probeChannels(env: Env, now: number): Promise<ProbeRun> {
	const { channelProbeIntervalMinutes: interval, channelProbeFailuresToDisable: failuresToDisable } = config(env);
	const intervalMs = interval * 60_000;
	const pruned = await prune(env, now - Math.max(KEEP_MS, intervalMs * (failuresToDisable + 1)));
	const run: ProbeRun = { probed: 0, disabled: 0, enabled: 0, pruned };
	if (interval === 0) return run;
	const due = await dueChannels(env, now - intervalMs);
	if (due.length === 0) return run;
	const book = await currentPrices(env);
	const keys = config(env);
	const failures: unknown[] = [];
	const pending = [...due];
	const worker = async () => {
		for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
			const { channel, lastOk } = next;
			try {
				const result = await probeChannel(channel, env, keys, (model) => book.priceFor(model, channel.id), PROBE_TIMEOUT_MS);
				await record(env, channel.id, result, now);
				run.probed += 1;
				const changed = await verdict(env, channel, result, lastOk, failuresToDisable, now);
				if (changed === "disabled") run.disabled += 1;
				if (changed === "enabled") run.enabled += 1;
			} catch (err) {
				failures.push(err);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
	if (failures.length > 0) throw new AggregateError(failures, "channel probes failed");
	return run;
}

/** Enabled channels not probed since `before` (never probed first), with whether their last probe succeeded. */
async function dueChannels(env: Env, before: number): Promise<{ channel: LiveChannel; lastOk: boolean | undefined }[]> {
	const d = db(env);
	const [rows, latest] = await Promise.all([
		d.select().from(channels).where(eq(channels.status, "enabled")),
		// SQLite gives a bare column (ok) from the row that holds the max; the index (channel_id, created_at) serves it.
		d
			.select({ channelId: channelProbes.channelId, at: sql<number>`max(${channelProbes.createdAt})`, ok: channelProbes.ok })
			.from(channelProbes)
			.groupBy(channelProbes.channelId),
	]);
	const last = new Map(latest.map((r) => [r.channelId, r]));
	return rows
		.map((row) => ({ channel: toLive(row), last: last.get(row.id) }))
		.filter((c): c is { channel: LiveChannel; last: (typeof latest)[number] | undefined } => c.channel !== undefined)
		.filter((c) => c.last === undefined || c.last.at <= before)
		.sort((a, b) => (a.last?.at ?? 0) - (b.last?.at ?? 0))
		.slice(0, PROBES_PER_RUN)
		.map((c) => ({ channel: c.channel, lastOk: c.last?.ok }));
}

async function record(env: Env, channelId: number, r: ProbeResult, now: number): Promise<void> {
	await db(env)
		.insert(channelProbes)
		.values({
			channelId,
			kind: r.kind,
			ok: r.ok,
			status: r.status,
			latencyMs: r.latencyMs,
			error: r.error?.slice(0, 500) ?? null,
			inputTokens: r.inputTokens,
			outputTokens: r.outputTokens,
			costNusd: r.costNusd,
			createdAt: now,
		});
}

/** Disables the channel after a run of failed probes, or enables it on a success if the probes had disabled it. */
async function verdict(
	env: Env,
	channel: LiveChannel,
	result: ProbeResult,
	lastOk: boolean | undefined,
	failuresToDisable: number,
	now: number,
): Promise<"disabled" | "enabled" | undefined> {
	const breaker = env.CHANNEL_BREAKER.getByName(String(channel.id));
	if (result.ok) {
		// Only a failure can have come before the probes' disabling: a success after a success needs no round trip.
		if (lastOk !== false) return undefined;
		const { changed, view } = await breaker.enableByProbes();
		observe(channel.id, view);
		if (!changed) return undefined;
		await announce(env, { type: "channel.recovered", channel_id: channel.id, state: "closed", reason: `a health probe succeeded (${result.kind})` }, now);
		return "enabled";
	}
	const recent = await db(env)
		.select({ ok: channelProbes.ok })
		.from(channelProbes)
		.where(eq(channelProbes.channelId, channel.id))
		.orderBy(desc(channelProbes.createdAt), desc(channelProbes.id))
		.limit(failuresToDisable);
	if (recent.length < failuresToDisable || recent.some((r) => r.ok)) return undefined;
	const reason = `${failuresToDisable} health probes failed in a row; the last: ${result.error ?? `status ${result.status ?? "none"}`}`.slice(0, 500);
	const { changed, view } = await breaker.disableByProbes(channel.id, reason);
	observe(channel.id, view);
	if (!changed) return undefined;
	await announce(env, { type: "channel.disabled", channel_id: channel.id, state: "disabled", reason }, now);
	return "disabled";
}

/** Through the notification queue (delivered, with retries, to ALERT_WEBHOOK_URL). */
async function announce(env: Env, event: Omit<ChannelNotification, "id" | "at">, now: number): Promise<void> {
	// The breaker kept quiet about this change (the cron announces it, with what the probes saw): logged here instead.
	logEvent(event.type, { ...event }, event.type === "channel.recovered" ? "info" : "warn");
	try {
		await env.NOTIFY_QUEUE.send({ id: crypto.randomUUID(), at: new Date(now).toISOString(), ...event } satisfies ChannelNotification);
	} catch (err) {
		// The channel's state stands; only its announcement is lost, and the health API and probe history still show it.
		console.error(JSON.stringify({ level: "warn", channel_id: event.channel_id, error: `notification not queued: ${String(err)}` }));
	}
}

async function prune(env: Env, cutoff: number): Promise<number> {
	const done = await db(env).delete(channelProbes).where(lt(channelProbes.createdAt, cutoff)).run();
	return done.meta.changes;
}
