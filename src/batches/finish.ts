import { and, eq, inArray, isNull } from "drizzle-orm";
import { db } from "../db/client";
import { type BatchRow, batches, files } from "../db/schema";
import { findFile, storeFile } from "../knowledge/files/store";
import { LEASE_MS, recount } from "./claims";
import { addUsage, anthropicResultLine, type EndedLine, endStatus, geminiMetadata, geminiResultLine, noUsage, openaiResultLine } from "./results";
import { findBatch } from "./store";

/** How long the output and error files are kept without an `output_expires_after` (OpenAI's default for batch files). */
const OUTPUT_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Lines read back per query while the files are written. */
const PAGE = 500;
/**
 * The batch's own output, stored whatever the user's upload quota: the quota bounds what a user uploads, and a batch
 * that ran must not lose its results to it.
 */
const NO_QUOTA = Number.MAX_SAFE_INTEGER;

/**
 * Only one finisher wins this: it turns a batch with no line left pending or running to `finalizing` (or takes over a
 * finalization that has been stuck for a lease: its finisher died).
 */
const FINALIZE = `UPDATE batches SET status = 'finalizing', finalizing_at = ?2
	WHERE id = ?1 AND (status IN ('in_progress', 'cancelling') OR (status = 'finalizing' AND finalizing_at <= ?2 - ?3))
	AND NOT EXISTS (SELECT 1 FROM batch_lines WHERE batch_id = ?1 AND status IN ('pending', 'running'))`;

/**
 * Counts the batch's lines and, when none is left to run, finalizes it: writes its output and error files (one
 * results file for an Anthropic or Gemini batch) and ends it `completed`, `expired` or `cancelled`. Called after
 * every line and by the cron; two callers at once make one set of files, as only one wins the UPDATE to `finalizing`.
 */
export async function settleBatch(env: Env, batchId: string, now = Date.now()): Promise<void> {
	// One index lookup, after every line: most lines end with others still to run.
	const open = await env.DB.prepare("SELECT 1 FROM batch_lines WHERE batch_id = ?1 AND status IN ('pending', 'running') LIMIT 1").bind(batchId).first();
	if (open) return;
	const [, won] = await env.DB.batch([recount(env.DB, batchId), env.DB.prepare(FINALIZE).bind(batchId, now, LEASE_MS)]);
	if (won?.meta.changes !== 1) return;
	const row = await findBatch(env, batchId);
	if (row) await writeResults(env, row, now);
}

async function* endedLines(env: Env, batchId: string): AsyncGenerator<EndedLine> {
	let after = 0;
	for (;;) {
		const { results } = await env.DB.prepare(
			"SELECT line, custom_id, status, status_code, result FROM batch_lines WHERE batch_id = ?1 AND line > ?2 ORDER BY line LIMIT ?3",
		)
			.bind(batchId, after, PAGE)
			.all<EndedLine>();
		yield* results;
		const last = results.at(-1);
		if (!last || results.length < PAGE) return;
		after = last.line;
	}
}

/** The names of the files a batch ends with: OpenAI's output and error files, Anthropic's or Gemini's results. */
const FILE_NAMES = ["output", "error", "results"] as const;
const filename = (row: BatchRow, name: (typeof FILE_NAMES)[number]) => `${row.id}_${name}.jsonl`;

async function store(env: Env, row: BatchRow, name: (typeof FILE_NAMES)[number], lines: string[], now: number): Promise<string | null> {
	if (lines.length === 0) return null;
	const bytes = new Uint8Array(new TextEncoder().encode(`${lines.join("\n")}\n`));
	const expiresAt = now + (row.outputTtlSeconds ?? OUTPUT_TTL_SECONDS) * 1000;
	const file = await storeFile(
		env,
		{ userId: row.userId, filename: filename(row, name), purpose: "batch_output", bytes, expiresAt, quotaBytes: NO_QUOTA },
		now,
	);
	return file.id;
}

/**
 * Deletes the files a finisher of this batch wrote before it died (the cron's finisher takes over after a lease):
 * the batch never named them, and its user would otherwise find two sets. The cron's purge removes their objects.
 */
async function dropEarlierFiles(env: Env, row: BatchRow, now: number): Promise<void> {
	const names = FILE_NAMES.map((n) => filename(row, n));
	await db(env)
		.update(files)
		.set({ deletedAt: now })
		.where(and(eq(files.userId, row.userId), eq(files.purpose, "batch_output"), inArray(files.filename, names), isNull(files.deletedAt)));
}

/** A Gemini batch's requests' metadata, which its results repeat: read once from the input file the gateway wrote. */
async function metadataOf(env: Env, row: BatchRow): Promise<Map<number, unknown>> {
	const file = row.dialect === "gemini" ? await findFile(env, row.inputFileId) : undefined;
	const object = file ? await env.FILES.get(file.r2Key) : null;
	return object ? geminiMetadata(new Uint8Array(await object.arrayBuffer())) : new Map();
}

async function writeResults(env: Env, row: BatchRow, now: number): Promise<void> {
	const output: string[] = [];
	const errors: string[] = [];
	await dropEarlierFiles(env, row, now);
	const metadata = await metadataOf(env, row);
	const usage = noUsage();
	for await (const line of endedLines(env, row.id)) {
		if (row.dialect === "anthropic") output.push(anthropicResultLine(line));
		else if (row.dialect === "gemini") output.push(geminiResultLine(line, metadata.get(line.line)));
		else {
			const { file, text } = openaiResultLine(line);
			(file === "output" ? output : errors).push(text);
			addUsage(usage, line);
		}
	}
	const outputFileId = await store(env, row, row.dialect === "openai" ? "output" : "results", output, now);
	const errorFileId = await store(env, row, "error", errors, now);
	const status = endStatus(row);
	const at = status === "completed" ? { completedAt: now } : status === "expired" ? { expiredAt: now } : { cancelledAt: now };
	await db(env)
		.update(batches)
		.set({ status, outputFileId, errorFileId, ...(row.dialect === "openai" && { usage }), ...at })
		// Only while this finisher holds the finalization: one that outlived its lease, taken over, writes nothing.
		.where(and(eq(batches.id, row.id), eq(batches.status, "finalizing"), eq(batches.finalizingAt, now)));
}
