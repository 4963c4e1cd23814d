import { pruneAudit } from "../audit/retention";
import { keyExpiryUpkeep } from "../auth/key-expiry";
import { clearExpiredPreviousKeys } from "../auth/key-rotation";
import { pruneSessions } from "../auth/sessions";
import { batchUpkeep } from "../batches/sweep";
import { prunePurges } from "../cache/purge";
import { reencryptSecrets } from "../channels/rekey";
import { conversationUpkeep } from "../conversations/upkeep";
import { d1Spool } from "../db/usage-spool";
import { config } from "../env";
import { knowledgeUpkeep } from "../knowledge/cleanup";
import { purgeFiles } from "../knowledge/files/store";
import { memoryUpkeep } from "../memory/upkeep";
import { purgeUpkeep } from "../privacy/purge";
import { cronJobs } from "./cron-jobs";
import { operations } from "./operations";
import { pruneQueueStats } from "./queue-stats-retention";
import { pruneUsageLogs, retentionCutoff } from "./retention";
import { rollupRecent } from "./rollup";

/** wrangler.toml's per-minute trigger: only the operations jobs, each deciding whether it is due. */
export const OPERATIONS_CRON = "* * * * *";

/** Spooled usage messages the cron sends back per run, in rounds of a hundred; a larger backlog waits for the next run. */
const SPOOL_ROUNDS = 10;
const SPOOL_ROUND = 100;

async function drainSpool(env: Env): Promise<number> {
	const spool = d1Spool(env.DB);
	let sent = 0;
	for (let round = 0; round < SPOOL_ROUNDS; round++) {
		const n = await spool.drain(env.USAGE_QUEUE, SPOOL_ROUND);
		sent += n;
		if (n < SPOOL_ROUND) break;
	}
	return sent;
}

/**
 * The cron trigger: sends usage messages the relay had to spool back to the queue, refreshes the recent rollups,
 * then prunes old raw logs and sessions that can no longer be used, finishes file deletes (expired files, and
 * deletes and uploads a crash interrupted), looks after the vector stores (ingestions whose message was lost, store
 * deletions a crash interrupted), sends again memory extractions whose message was lost, and keeps conversation
 * state (stored responses D1 refused, retention), prunes old queue counts and audit entries past their retention,
 * carries on the purges of users a request left unfinished, re-encrypts secrets still under a previous
 * ENCRYPTION_KEY, forgets rotated keys' secrets whose grace is over and reminds of (or renews) keys that expire
 * soon, forgets response-cache purges older than the longest TTL, and looks after batches (expires overdue ones,
 * finishes those a death left mid-way, restarts the workers of those nobody works on). Each job runs even if another fails (a broken
 * rollup must not let the logs grow without bound); a failure still fails the invocation, so it shows in the cron's
 * history.
 */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
	if (controller.cron === OPERATIONS_CRON) return operations(controller, env);
	const now = controller.scheduledTime;
	const { attempt, settle } = cronJobs(controller.cron);

	const spooled = await attempt("usage spool", () => drainSpool(env));
	const rows = await attempt("rollup", () => rollupRecent(env, now));
	const pruned = await attempt("retention", () => pruneUsageLogs(env, retentionCutoff(now, config(env).usageRetentionDays)));
	const sessions = await attempt("sessions", () => pruneSessions(env, now));
	const knowledge = await attempt("knowledge", () => knowledgeUpkeep(env, now));
	const purgedFiles = await attempt("files", () => purgeFiles(env, now));
	const extractions = await attempt("memory", () => memoryUpkeep(env, now));
	const conversations = await attempt("conversations", () => conversationUpkeep(env, now));
	const queueStats = await attempt("queue stats", () => pruneQueueStats(env, now));
	const audit = await attempt("audit", () => pruneAudit(env, now, config(env).auditRetentionDays));
	const purges = await attempt("user purges", () => purgeUpkeep(env, now));
	const rekeyed = await attempt("encryption key rotation", () => reencryptSecrets(env, config(env)));
	const previousKeys = await attempt("rotated keys", () => clearExpiredPreviousKeys(env, now));
	const expiring = await attempt("key expiry", () => keyExpiryUpkeep(env, now));
	const cachePurges = await attempt("cache purges", () => prunePurges(env, now));
	const batches = await attempt("batches", () => batchUpkeep(env, now));
	console.log(
		JSON.stringify({
			level: "info",
			cron: controller.cron,
			spooled_messages_sent: spooled,
			rollup_rows: rows,
			pruned_logs: pruned?.deleted,
			pruned_all: pruned?.done,
			pruned_sessions: sessions,
			ingest_requeued: knowledge?.requeued,
			vector_stores_deleted: knowledge?.stores_deleted,
			purged_files: purgedFiles,
			memory_extractions_requeued: extractions,
			responses_unspooled: conversations?.spooled,
			responses_expired: conversations?.responses,
			conversations_summarised: conversations?.summarised,
			conversations_expired: conversations?.conversations,
			queue_stats_pruned: queueStats,
			audit_pruned: audit,
			user_purges_finished: purges?.finished,
			user_purge_pages: purges?.pages,
			secrets_reencrypted: rekeyed?.reencrypted,
			secrets_unreadable: rekeyed?.unreadable,
			previous_keys_cleared: previousKeys,
			keys_reminded: expiring?.reminded,
			keys_renewed: expiring?.renewed,
			cache_purges_pruned: cachePurges,
			batches_expired: batches?.expired,
			batches_settled: batches?.settled,
			batch_workers_restarted: batches?.restarted,
		}),
	);
	settle("cron jobs failed");
}
