import { Hono } from "hono";
import { audit } from "../../audit/record";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { valid } from "../../lib/validate";
import { deleteMemories, findMemories, updateMemory } from "../../memory/memories";
import { embedTexts, indexMemories, unindexMemories } from "../../memory/vectors";
import { memoryContext } from "../shared/memory-context";
import { batchDeleteBody, batchUpdateBody } from "./mem0-schemas";

/**
 * Mem0's batch routes, mounted at /mem0. Every memory named must be the caller's: one that is not makes the whole
 * batch a 404 before anything changes.
 */
export const mem0BatchRoutes = new Hono<AppEnv>()
	.put("/v1/batch/", valid("json", batchUpdateBody), async (c) => {
		const items = c.req.valid("json").memories;
		const rows = await findMemories(
			c.env,
			memoryOwner(c.get("caller")),
			items.map((m) => m.memory_id),
		);
		const vectors = await embedTexts(
			memoryContext(c),
			"/mem0/v1/batch/",
			items.map((m) => m.text),
		);
		const updated = [];
		for (const [i, row] of rows.entries()) {
			updated.push(await updateMemory(c.env, row, { text: items[i]?.text, dimensions: vectors[i]?.length }));
		}
		await indexMemories(c.env, updated, vectors);
		return c.json({ message: `Successfully updated ${updated.length} memories` });
	})
	.delete("/v1/batch/", valid("json", batchDeleteBody), async (c) => {
		const rows = await findMemories(
			c.env,
			memoryOwner(c.get("caller")),
			c.req.valid("json").memories.map((m) => m.memory_id),
		);
		await unindexMemories(c.env, rows);
		await deleteMemories(c.env, rows);
		audit(c, { action: "memory.delete", objectType: "memory", detail: { count: rows.length, memory_ids: rows.map((r) => r.id) } });
		return c.json({ message: `Successfully deleted ${rows.length} memories` });
	});
