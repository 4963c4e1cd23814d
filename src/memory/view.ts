import type { EventRow } from "./events";
import type { HistoryRow, MemoryRow } from "./memories";

const iso = (ms: number) => new Date(ms).toISOString();

/** A memory as Mem0's API shows it. */
export function memoryView(r: MemoryRow) {
	return {
		id: r.id,
		memory: r.memory,
		user_id: r.entityUserId,
		agent_id: r.agentId,
		app_id: r.appId,
		run_id: r.runId,
		hash: r.hash,
		metadata: r.metadata ?? null,
		categories: [] as string[],
		created_at: iso(r.createdAt),
		updated_at: iso(r.updatedAt),
	};
}

export function historyView(h: HistoryRow, entityUserId: string | null) {
	return {
		id: String(h.id),
		memory_id: h.memoryId,
		user_id: entityUserId,
		event: h.event,
		old_memory: h.oldMemory,
		new_memory: h.newMemory,
		input: [] as unknown[],
		categories: [] as string[],
		metadata: null,
		created_at: iso(h.createdAt),
		updated_at: iso(h.createdAt),
	};
}

export function eventView(e: EventRow) {
	return {
		id: e.id,
		event_type: "ADD" as const,
		status: e.status,
		results: e.results ?? [],
		error: e.error,
		created_at: iso(e.createdAt),
		updated_at: iso(e.updatedAt),
	};
}
