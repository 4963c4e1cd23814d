import { Hono } from "hono";
import { audit } from "../../audit/record";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { valid } from "../../lib/validate";
import { ENTITY_TYPES, listEntities } from "../../memory/entities";
import { deleteMemories, selectMemories } from "../../memory/memories";
import { unindexMemories } from "../../memory/vectors";
import { entityParam } from "./mem0-schemas";

/** Mem0's entities (the users, agents, apps and runs memories are about), mounted at /mem0. */
export const mem0EntityRoutes = new Hono<AppEnv>()
	.get("/v1/entities/", async (c) => {
		const entities = await listEntities(c.env, memoryOwner(c.get("caller")));
		const results = entities.map((e) => ({
			id: e.id,
			name: e.id,
			type: e.type,
			total_memories: e.totalMemories,
			owner: null,
			metadata: null,
			created_at: new Date(e.createdAt).toISOString(),
			updated_at: new Date(e.updatedAt).toISOString(),
		}));
		return c.json({ count: results.length, next: null, previous: null, results });
	})
	.delete("/v2/entities/:entity_type/:entity_id/", valid("param", entityParam), async (c) => {
		const { entity_type, entity_id } = c.req.valid("param");
		const rows = await selectMemories(c.env, memoryOwner(c.get("caller")), { [ENTITY_TYPES[entity_type]]: entity_id });
		await unindexMemories(c.env, rows);
		await deleteMemories(c.env, rows);
		audit(c, { action: "memory.delete", objectType: "entity", objectId: `${entity_type}:${entity_id}`, detail: { count: rows.length } });
		return c.json({ message: "Entity deleted successfully!" });
	});
