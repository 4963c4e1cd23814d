import type { StoredItem } from "./items";

/** A model's turn as the conversation store keeps it: what was said (`items`) and what it took. */
export interface Turn {
	/** A stored response's id (`resp_…`) or a Dify message's. */
	id: string;
	conversationId: string;
	ownerId: number;
	model: string;
	status: "completed" | "incomplete" | "failed" | "stopped";
	inputTokens: number;
	outputTokens: number;
	costNusd: number;
	latencyMs: number;
	/** The excerpts retrieval gave the model, as Dify's retriever_resources. */
	sources: Record<string, unknown>[];
	/** The turn's input items then its output items, in the order they are to be listed. */
	items: StoredItem[];
}

/**
 * The statements that write a turn, for one `db.batch` (with whatever else must land with it): the turn, its
 * items and the conversation's last-active time. Idempotent: a retried write (a redelivered queue message, a
 * second attempt after a failed one) finds the turn and its items there and adds nothing.
 */
export function turnStatements(db: D1Database, t: Turn): D1PreparedStatement[] {
	return [
		db
			.prepare(
				"INSERT OR IGNORE INTO conversation_turns (id, conversation_id, owner_id, model, status, input_tokens, output_tokens, cost_nusd, latency_ms, sources) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			)
			.bind(t.id, t.conversationId, t.ownerId, t.model, t.status, t.inputTokens, t.outputTokens, t.costNusd, t.latencyMs, JSON.stringify(t.sources)),
		...t.items.map((i) =>
			db
				.prepare("INSERT OR IGNORE INTO conversation_items (id, conversation_id, owner_id, type, role, item, turn_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
				.bind(i.id, t.conversationId, t.ownerId, i.type, i.role, JSON.stringify(i.item), t.id),
		),
		db.prepare("UPDATE conversations SET updated_at = cast(unixepoch('subsec') * 1000 as integer) WHERE id = ?1").bind(t.conversationId),
	];
}
