import type { BatchRow } from "../db/schema";
import { config } from "../env";
import { storeFile } from "../knowledge/files/store";
import { randomBase62 } from "../lib/crypto";
import type { CallerKey } from "../types/caller";
import { type InputError, type LinePlace, readInput } from "./input-lines";
import { concurrencyOf, startWorkers } from "./queue";
import { findBatch } from "./store";

/** The only completion window OpenAI (and Anthropic) offer. */
export const COMPLETION_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface NewBatch {
	userId: number;
	tokenId: number;
	dialect: BatchRow["dialect"];
	endpoint: string;
	/** The input file: its id, and its key in R2 (FILES). */
	inputFileId: string;
	inputR2Key: string;
	metadata: Record<string, string> | null;
	/** How long the output and error files are kept (OpenAI's `output_expires_after`); unset, 30 days. */
	outputTtlSeconds?: number | undefined;
	/** The input file's bytes, when the caller has just written them: not read back from R2. */
	bytes?: Uint8Array | undefined;
}

const INSERT_BATCH = `INSERT INTO batches (id, user_id, token_id, dialect, endpoint, input_file_id, completion_window, status, metadata, errors,
	total, created_at, in_progress_at, expires_at, failed_at, model, output_ttl_seconds)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, '24h', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`;
// Each statement reads its lines out of one JSON parameter: D1 binds at most 100 parameters to a statement.
const INSERT_LINES = `INSERT INTO batch_lines (batch_id, line, token_id, custom_id, offset, length)
	SELECT ?1, value ->> 0, ?2, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?3)`;
/** Lines per insert: a few hundred kilobytes of JSON, well within D1's bound on a statement's parameters. */
const LINES_PER_INSERT = 2_000;

/**
 * Creates a batch over its input file: reads and checks every line; a file that cannot run makes a batch that failed
 * with the reasons (as OpenAI answers), otherwise the batch and its lines (where each is in the file) are written in
 * one D1 batch, and the key's workers are started.
 */
export async function createBatch(env: Env, input: NewBatch, now = Date.now()): Promise<BatchRow> {
	const { lines, errors, model } = readInput(input.bytes ?? (await inputBytes(env, input)), input.endpoint);
	const id = randomBase62(input.dialect === "anthropic" ? "msgbatch_" : "batch_", 24);
	await insert(env, id, input, errors.length > 0 ? { lines: [], errors, model } : { lines, errors: [], model }, now);
	if (errors.length === 0) await startWorkers(env, input.tokenId, Math.min(lines.length, await concurrencyOf(env, input.tokenId)));
	const row = await findBatch(env, id);
	if (!row) throw new Error(`batch ${id} vanished as it was created`);
	return row;
}

async function inputBytes(env: Env, input: NewBatch): Promise<Uint8Array> {
	const object = await env.FILES.get(input.inputR2Key);
	if (!object) throw new Error(`the input file ${input.inputFileId} has no content in R2`);
	return new Uint8Array(await object.arrayBuffer());
}

/** A batch of an API whose requests come in the create call (Anthropic's, Gemini's): one JSON request per line. */
export interface RequestsBatch {
	dialect: BatchRow["dialect"];
	endpoint: string;
	/** The input file's name, as the user's files list shows it. */
	filename: string;
	lines: readonly string[];
	metadata: Record<string, string> | null;
}

/**
 * Writes the requests as the user's JSONL input file (purpose `batch`, counted in their quota) and creates the batch
 * over it, from the bytes in hand.
 */
export async function createFromRequests(env: Env, caller: CallerKey, batch: RequestsBatch): Promise<BatchRow> {
	const bytes = new Uint8Array(new TextEncoder().encode(`${batch.lines.join("\n")}\n`));
	const file = await storeFile(env, {
		userId: caller.userId,
		filename: batch.filename,
		purpose: "batch",
		bytes,
		expiresAt: null,
		quotaBytes: config(env).filesQuotaBytesPerUser,
	});
	return createBatch(env, {
		userId: caller.userId,
		tokenId: caller.keyId,
		dialect: batch.dialect,
		endpoint: batch.endpoint,
		inputFileId: file.id,
		inputR2Key: file.r2Key,
		metadata: batch.metadata,
		bytes,
	});
}

async function insert(
	env: Env,
	id: string,
	input: NewBatch,
	checked: { lines: LinePlace[]; errors: InputError[]; model: string | null },
	now: number,
): Promise<void> {
	const failed = checked.errors.length > 0;
	const batch = env.DB.prepare(INSERT_BATCH).bind(
		id,
		input.userId,
		input.tokenId,
		input.dialect,
		input.endpoint,
		input.inputFileId,
		failed ? "failed" : "in_progress",
		input.metadata === null ? null : JSON.stringify(input.metadata),
		failed ? JSON.stringify(checked.errors) : null,
		checked.lines.length,
		now,
		failed ? null : now,
		now + COMPLETION_WINDOW_MS,
		failed ? now : null,
		checked.model,
		input.outputTtlSeconds ?? null,
	);
	const insertLines = env.DB.prepare(INSERT_LINES);
	const chunks: D1PreparedStatement[] = [];
	for (let i = 0; i < checked.lines.length; i += LINES_PER_INSERT) {
		const chunk = checked.lines.slice(i, i + LINES_PER_INSERT).map((l) => [l.line, l.customId, l.offset, l.length]);
		chunks.push(insertLines.bind(id, input.tokenId, JSON.stringify(chunk)));
	}
	await env.DB.batch([batch, ...chunks]);
}
