import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { jsonText } from "../lib/json-text";
import { type NewDifyConversation, newConversationStatement } from "./dify-store";
import { type Turn, turnStatements } from "./turns";

/** A stored response as kept: whose it is, what it followed, the input items it answered and the response itself. */
export interface StoredResponse {
	id: string;
	ownerId: number;
	previousResponseId: string | null;
	conversationId: string | null;
	/** The request's own input items (not the history it followed), with the ids the store gave them. */
	input: Record<string, unknown>[];
	/** The Response object as the client received it. */
	response: Record<string, unknown> & { output: unknown[] };
	expiresAt: number | null;
}

const responseJson = z.looseObject({ output: z.array(z.unknown()) });

export const storedResponse: z.ZodType<StoredResponse> = z.object({
	id: z.string(),
	ownerId: z.number(),
	previousResponseId: z.string().nullable(),
	conversationId: z.string().nullable(),
	input: z.array(z.record(z.string(), z.unknown())),
	response: responseJson,
	expiresAt: z.number().nullable(),
});

const responseRow = z
	.object({
		id: z.string(),
		owner_id: z.number(),
		previous_response_id: z.string().nullable(),
		conversation_id: z.string().nullable(),
		input: jsonText.pipe(z.array(z.record(z.string(), z.unknown()))),
		response: jsonText.pipe(responseJson),
		expires_at: z.number().nullable(),
	})
	.transform(
		(r): StoredResponse => ({
			id: r.id,
			ownerId: r.owner_id,
			previousResponseId: r.previous_response_id,
			conversationId: r.conversation_id,
			input: r.input,
			response: r.response,
			expiresAt: r.expires_at,
		}),
	);

/**
 * What one answer leaves to keep, landed in one batch: a stored response (unless `store` was false), the
 * conversation a Dify turn starts, and the conversation's turn.
 */
export interface ResponseWrite {
	response: StoredResponse | undefined;
	conversation?: NewDifyConversation | undefined;
	turn: Turn | undefined;
}

/** The statements of one write, for one batch. */
export function writeStatements(db: D1Database, w: ResponseWrite): D1PreparedStatement[] {
	const r = w.response;
	return [
		...(w.conversation ? [newConversationStatement(db, w.conversation)] : []),
		...(r
			? [
					db
						.prepare(
							"INSERT OR IGNORE INTO responses (id, owner_id, previous_response_id, conversation_id, input, response, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
						)
						.bind(r.id, r.ownerId, r.previousResponseId, r.conversationId, JSON.stringify(r.input), JSON.stringify(r.response), r.expiresAt),
				]
			: []),
		...(w.turn ? turnStatements(db, w.turn) : []),
	];
}

export function responseNotFound(id: string, param = "response_id"): GatewayError {
	return new GatewayError("not_found", `Response with id '${id}' not found.`, { param });
}

/** `ownerId`'s stored response, unexpired; undefined when there is none (or it is another user's). */
export async function readResponse(db: D1Database, id: string, ownerId: number, now: number): Promise<StoredResponse | undefined> {
	const row = await db
		.prepare("SELECT * FROM responses WHERE id = ?1 AND owner_id = ?2 AND (expires_at IS NULL OR expires_at > ?3)")
		.bind(id, ownerId, now)
		.first();
	return row === null ? undefined : responseRow.parse(row);
}

/** What a later turn is given back of one stored response: its own input items and its output items. */
export interface ChainLink {
	input: Record<string, unknown>[];
	output: unknown[];
}

const chainRow = z.object({
	input: jsonText.pipe(z.array(z.record(z.string(), z.unknown()))),
	output: jsonText.pipe(z.array(z.unknown())),
});

/**
 * The chain of stored responses that ends at `id`, oldest first, at most `max` long: `id`, the response it
 * followed, and so on back, as far as the links are `ownerId`'s and unexpired. One recursive query however long the
 * chain, reading only what a later turn is given back (not each response's whole JSON).
 */
export async function responseChain(db: D1Database, id: string, ownerId: number, now: number, max: number): Promise<ChainLink[]> {
	const rows = await db
		.prepare(
			`WITH RECURSIVE chain(previous, input, output, depth) AS (
				SELECT previous_response_id, input, json_extract(response, '$.output'), 0 FROM responses
				WHERE id = ?1 AND owner_id = ?2 AND (expires_at IS NULL OR expires_at > ?3)
				UNION ALL
				SELECT r.previous_response_id, r.input, json_extract(r.response, '$.output'), chain.depth + 1 FROM chain
				JOIN responses r ON r.id = chain.previous
				WHERE r.owner_id = ?2 AND (r.expires_at IS NULL OR r.expires_at > ?3) AND chain.depth + 1 < ?4
			)
			SELECT input, output FROM chain ORDER BY depth DESC`,
		)
		.bind(id, ownerId, now, max)
		.all();
	return rows.results.map((r) => chainRow.parse(r));
}

/** Deletes `ownerId`'s stored response; false when there was none to delete. */
export async function deleteResponse(db: D1Database, id: string, ownerId: number): Promise<boolean> {
	const result = await db.prepare("DELETE FROM responses WHERE id = ?1 AND owner_id = ?2").bind(id, ownerId).run();
	return result.meta.changes > 0;
}

/** Deletes stored responses past their retention; returns how many went. */
export async function pruneResponses(db: D1Database, now: number, limit = 1000): Promise<number> {
	const result = await db
		.prepare("DELETE FROM responses WHERE id IN (SELECT id FROM responses WHERE expires_at IS NOT NULL AND expires_at <= ?1 LIMIT ?2)")
		.bind(now, limit)
		.run();
	return result.meta.changes;
}
