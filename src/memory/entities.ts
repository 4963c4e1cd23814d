import { and, count, eq, isNotNull, isNull, max, min } from "drizzle-orm";
import { db } from "../db/client";
import { memories } from "../db/schema";
import type { EntityField } from "./filters";

/** Mem0's entity types, as its /v1/entities/ and /v2/entities/{type}/{id}/ name them. */
export const ENTITY_TYPES = { user: "user_id", agent: "agent_id", app: "app_id", run: "run_id" } as const satisfies Record<string, EntityField>;
export type EntityType = keyof typeof ENTITY_TYPES;

const column = { user: memories.entityUserId, agent: memories.agentId, app: memories.appId, run: memories.runId } as const;

export interface EntitySummary {
	type: EntityType;
	id: string;
	totalMemories: number;
	createdAt: number;
	updatedAt: number;
}

/** The entities the owner's current memories are about, with how many each has. */
export async function listEntities(env: Env, ownerId: number): Promise<EntitySummary[]> {
	const d = db(env);
	const types = Object.keys(ENTITY_TYPES) as EntityType[];
	const groups = await Promise.all(
		types.map(async (type) => {
			const col = column[type];
			const rows = await d
				.select({ id: col, n: count(), first: min(memories.createdAt), last: max(memories.updatedAt) })
				.from(memories)
				.where(and(eq(memories.ownerId, ownerId), isNull(memories.supersededBy), isNotNull(col)))
				.groupBy(col);
			return rows.flatMap((r) => (r.id === null ? [] : [{ type, id: r.id, totalMemories: r.n, createdAt: r.first ?? 0, updatedAt: r.last ?? 0 }]));
		}),
	);
	return groups.flat();
}
