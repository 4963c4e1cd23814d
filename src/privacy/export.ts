import { toUsd } from "../billing/money";
import { iso } from "../lib/iso";

/** Rows read per query: a user with much data streams in many small reads, never one large one. */
const PAGE = 200;

type Row = Record<string, unknown>;
type Line = { type: string } & Row;

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const time = (v: unknown): string | null => (typeof v === "number" ? iso(v) : null);
const json = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : null);

/** The rows of `sql` (which selects `k` as its keyset column, `?1` the owner and `?2` the last key seen) page by page. */
async function* pages(env: Env, sql: string, owner: number | string, first: number | string): AsyncGenerator<Row> {
	let after = first;
	for (;;) {
		const { results } = await env.DB.prepare(`${sql} LIMIT ${PAGE}`).bind(owner, after).all<Row>();
		for (const r of results) yield r;
		const last = results.at(-1);
		if (results.length < PAGE || last === undefined) return;
		const k = last.k;
		if (typeof k !== "number" && typeof k !== "string") return;
		after = k;
	}
}

async function* keys(env: Env, userId: number): AsyncGenerator<Line> {
	// Never the hashes: the export describes the keys, it cannot be used to call with them.
	const sql = `SELECT id AS k, name, key_prefix, status, app_id, models, scopes, tags, expires_at, spent_nusd, request_count, created_at, last_used_at
		FROM tokens WHERE user_id = ?1 AND id > ?2 ORDER BY id`;
	for await (const r of pages(env, sql, userId, 0)) {
		yield {
			type: "key",
			id: r.k,
			name: r.name,
			key_prefix: r.key_prefix,
			status: r.status,
			app_id: r.app_id,
			models: json(r.models),
			scopes: json(r.scopes),
			tags: json(r.tags),
			expires_at: time(r.expires_at),
			spent_usd: toUsd(num(r.spent_nusd)),
			request_count: r.request_count,
			created_at: time(r.created_at),
			last_used_at: time(r.last_used_at),
		};
	}
}

async function* files(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT id AS k, filename, purpose, bytes, content_type, sha256, status, expires_at, created_at
		FROM files WHERE user_id = ?1 AND id > ?2 AND deleted_at IS NULL ORDER BY id`;
	for await (const r of pages(env, sql, userId, "")) {
		yield {
			type: "file",
			id: r.k,
			filename: r.filename,
			purpose: r.purpose,
			bytes: r.bytes,
			content_type: r.content_type,
			sha256: r.sha256,
			status: r.status,
			expires_at: time(r.expires_at),
			created_at: time(r.created_at),
			// The bytes are not inlined (files run to megabytes): the owner downloads them with their key or session.
			content_url: `/v1/files/${String(r.k)}/content`,
		};
	}
}

async function* vectorStores(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT s.id AS k, s.name, s.metadata, s.embedding_model, s.usage_bytes, s.expires_at, s.created_at,
		(SELECT json_group_array(file_id) FROM vector_store_files f WHERE f.vector_store_id = s.id) AS file_ids
		FROM vector_stores s WHERE s.user_id = ?1 AND s.id > ?2 AND s.deleted_at IS NULL ORDER BY s.id`;
	for await (const r of pages(env, sql, userId, "")) {
		yield {
			type: "vector_store",
			id: r.k,
			name: r.name,
			metadata: json(r.metadata),
			embedding_model: r.embedding_model,
			usage_bytes: r.usage_bytes,
			file_ids: json(r.file_ids),
			expires_at: time(r.expires_at),
			created_at: time(r.created_at),
		};
	}
}

async function* memories(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT seq AS k, id, memory, user_id, agent_id, app_id, run_id, metadata, created_at, updated_at
		FROM memories WHERE owner_id = ?1 AND seq > ?2 AND superseded_by IS NULL ORDER BY seq`;
	for await (const r of pages(env, sql, userId, 0)) {
		yield {
			type: "memory",
			id: r.id,
			memory: r.memory,
			user_id: r.user_id,
			agent_id: r.agent_id,
			app_id: r.app_id,
			run_id: r.run_id,
			metadata: json(r.metadata),
			created_at: time(r.created_at),
			updated_at: time(r.updated_at),
		};
	}
}

async function* conversations(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT id AS k, name, metadata, app_id, end_user, created_at, updated_at
		FROM conversations WHERE owner_id = ?1 AND id > ?2 ORDER BY id`;
	for await (const r of pages(env, sql, userId, "")) {
		const items: unknown[] = [];
		const itemSql = "SELECT seq AS k, item FROM conversation_items WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq";
		for await (const i of pages(env, itemSql, String(r.k), 0)) items.push(json(i.item));
		yield {
			type: "conversation",
			id: r.k,
			name: r.name,
			metadata: json(r.metadata),
			app_id: r.app_id,
			end_user: r.end_user,
			created_at: time(r.created_at),
			updated_at: time(r.updated_at),
			items,
		};
	}
}

async function* storedResponses(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = "SELECT id AS k, conversation_id, input, response, created_at FROM responses WHERE owner_id = ?1 AND id > ?2 ORDER BY id";
	for await (const r of pages(env, sql, userId, "")) {
		yield { type: "response", id: r.k, conversation_id: r.conversation_id, input: json(r.input), response: json(r.response), created_at: time(r.created_at) };
	}
}

async function* apps(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT id AS k, name, description, model, system_prompt, opening_statement, suggested_questions, vector_store_ids, memory_mode, created_at
		FROM apps WHERE owner_id = ?1 AND id > ?2 ORDER BY id`;
	for await (const r of pages(env, sql, userId, "")) {
		yield {
			type: "app",
			id: r.k,
			name: r.name,
			description: r.description,
			model: r.model,
			system_prompt: r.system_prompt,
			opening_statement: r.opening_statement,
			suggested_questions: json(r.suggested_questions),
			vector_store_ids: json(r.vector_store_ids),
			memory_mode: r.memory_mode,
			created_at: time(r.created_at),
		};
	}
}

async function* ledger(env: Env, userId: number): AsyncGenerator<Line> {
	const sql = `SELECT id AS k, token_id, kind, amount_nusd, balance_after_nusd, request_id, note, created_at
		FROM ledger_entries WHERE user_id = ?1 AND id > ?2 ORDER BY id`;
	for await (const r of pages(env, sql, userId, 0)) {
		yield {
			type: "ledger_entry",
			id: r.k,
			key_id: r.token_id,
			kind: r.kind,
			amount_usd: toUsd(num(r.amount_nusd)),
			balance_after_usd: r.balance_after_nusd === null ? null : toUsd(num(r.balance_after_nusd)),
			request_id: r.request_id,
			note: r.note,
			created_at: time(r.created_at),
		};
	}
}

/** Usage as totals per model: the request log itself holds no content, and its retention is the operator's. */
async function* usageSummary(env: Env, userId: number): AsyncGenerator<Line> {
	const { results } = await env.DB.prepare(
		`SELECT model, count(*) AS requests, sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, sum(cost_nusd) AS cost_nusd,
		min(created_at) AS first_at, max(created_at) AS last_at FROM usage_logs WHERE user_id = ?1 GROUP BY model ORDER BY model`,
	)
		.bind(userId)
		.all<Row>();
	for (const r of results) {
		yield {
			type: "usage_summary",
			model: r.model,
			requests: r.requests,
			prompt_tokens: r.prompt_tokens,
			completion_tokens: r.completion_tokens,
			cost_usd: toUsd(num(r.cost_nusd)),
			first_at: time(r.first_at),
			last_at: time(r.last_at),
		};
	}
}

const SECTIONS = [keys, files, vectorStores, memories, conversations, storedResponses, apps, ledger, usageSummary];

/** Every line of a user's export after the user's own (which the route writes from the row it already read). */
async function* lines(env: Env, userId: number): AsyncGenerator<Line> {
	for (const section of SECTIONS) yield* section(env, userId);
}

/**
 * A user's data as JSON Lines, one object a line with its `type`, read and sent page by page so that a large export
 * never sits in memory: `first` (the user), then keys (never their secrets), files (metadata and where to download
 * the bytes), vector stores, memories, conversations with their items, stored responses, apps, ledger entries and
 * usage totals per model.
 */
export function exportStream(env: Env, userId: number, first: Line): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const source = lines(env, userId);
	let head: Line | undefined = first;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (head) {
				controller.enqueue(encoder.encode(`${JSON.stringify(head)}\n`));
				head = undefined;
				return;
			}
			const next = await source.next();
			if (next.done) controller.close();
			else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
		},
		async cancel() {
			await source.return(undefined);
		},
	});
}
