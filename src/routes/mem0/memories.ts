import { Hono } from "hono";
import type { z } from "zod";
import type { MemoryMessage } from "../../../queues/memory-message";
import { audit } from "../../audit/record";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { GatewayError } from "../../errors/gateway-error";
import { valid } from "../../lib/validate";
import { fitsQueue, MAX_QUEUED_BYTES, queueExtraction } from "../../memory/enqueue";
import { recordEvent } from "../../memory/events";
import { type Entities, entitiesFilter, filterValues, MAX_FILTER_VALUES, type MemoryFilter, namesEntity } from "../../memory/filters";
import { deleteMemories, findMemory, historyOf, insertMemories, listMemories, selectMemories, updateMemory } from "../../memory/memories";
import type { MetadataFilter } from "../../memory/metadata-filter";
import { searchMemories } from "../../memory/search";
import { embedTexts, indexMemories, unindexMemories } from "../../memory/vectors";
import { historyView, memoryView } from "../../memory/view";
import { memoryContext } from "../shared/memory-context";
import { addBody, deleteAllQuery, listBody, listQuery, memoryParam, searchBody, updateBody } from "./mem0-schemas";

const DEFAULT_PAGE_SIZE = 100;

function entitiesOf(body: Entities): Entities {
	return { user_id: body.user_id, agent_id: body.agent_id, app_id: body.app_id, run_id: body.run_id };
}

/** The top-level entity ids ANDed with `filters`; at least one entity must be named, as Mem0 requires. */
function scopeFilter(body: Entities & { filters?: MemoryFilter | undefined; metadata?: MetadataFilter | undefined }): MemoryFilter {
	const filter: MemoryFilter = {
		AND: [entitiesFilter(entitiesOf(body)), ...(body.filters ? [body.filters] : []), ...(body.metadata ? [{ metadata: body.metadata }] : [])],
	};
	if (filterValues(filter) > MAX_FILTER_VALUES) {
		throw new GatewayError("invalid_request", `The filters name more than ${MAX_FILTER_VALUES} values`, { param: "filters" });
	}
	if (!namesEntity(filter)) {
		throw new GatewayError("invalid_request", "Name at least one of user_id, agent_id, app_id or run_id (in 'filters')", { param: "filters" });
	}
	return filter;
}

type AddMessages = z.infer<typeof addBody>["messages"];

function contentText(m: Exclude<AddMessages, string>[number]): string {
	return typeof m.content === "string" ? m.content : (m.content ?? []).flatMap((p) => (p.text === undefined ? [] : [p.text])).join("\n");
}

/** The conversation as the extraction's model reads it: a bare string is one user message; empty messages go. */
function conversation(messages: AddMessages): MemoryMessage["messages"] {
	if (typeof messages === "string") return messages.trim() === "" ? [] : [{ role: "user", content: messages }];
	return messages.flatMap((m) => {
		const content = contentText(m);
		return content.trim() === "" ? [] : [{ role: m.role, content }];
	});
}

function messageTexts(messages: AddMessages): string[] {
	return conversation(messages).map((m) => m.content);
}

/** Mem0's memory routes, mounted at /mem0 (auth and the error format are set there, in app.ts). */
export const mem0MemoryRoutes = new Hono<AppEnv>()
	.post("/v3/memories/add/", valid("json", addBody), async (c) => {
		const body = c.req.valid("json");
		const entities = entitiesOf(body);
		if (!Object.values(entities).some((v) => v !== undefined)) {
			throw new GatewayError("invalid_request", "Name at least one of user_id, agent_id, app_id or run_id", { param: "user_id" });
		}
		const owner = memoryOwner(c.get("caller"));
		if (body.infer) {
			// A chat model extracts the facts on a Queue (src/memory/extract.ts), paid for by the key that asked.
			const message: MemoryMessage = {
				event_id: crypto.randomUUID(),
				owner_id: owner,
				key_id: c.get("caller").keyId,
				messages: conversation(body.messages),
				entities,
				metadata: body.metadata ?? null,
				traceparent: c.get("trace").traceparent,
			};
			if (!fitsQueue(message)) {
				throw new GatewayError("body_too_large", `An add with infer true takes at most ${MAX_QUEUED_BYTES} bytes of messages and metadata`, {
					param: "messages",
				});
			}
			const event = await queueExtraction(c.env, message, { ...body }, { failUnsent: true });
			return c.json({ event_id: event.id, status: event.status });
		}
		const texts = messageTexts(body.messages);
		const ctx = memoryContext(c);
		const vectors = texts.length > 0 ? await embedTexts(ctx, "/mem0/v3/memories/add/", texts) : [];
		const rows = await insertMemories(
			c.env,
			owner,
			texts.map((memory) => ({ memory, entities, metadata: body.metadata ?? null })),
			vectors[0]?.length ?? null,
		);
		await indexMemories(c.env, rows, vectors);
		const results = rows.map((r) => ({ id: r.id, data: { memory: r.memory }, event: "ADD" as const }));
		const event = await recordEvent(c.env, owner, "SUCCEEDED", { ...body }, results);
		return c.json({ status: event.status, event_id: event.id, results });
	})
	.post("/v3/memories/", valid("query", listQuery), valid("json", listBody), async (c) => {
		const body = c.req.valid("json");
		const query = c.req.valid("query");
		const page = body.page ?? query.page ?? 1;
		const pageSize = body.page_size ?? query.page_size ?? DEFAULT_PAGE_SIZE;
		const { rows, count } = await listMemories(c.env, memoryOwner(c.get("caller")), scopeFilter(body), page, pageSize);
		const link = (p: number) => {
			const url = new URL(c.req.url);
			url.searchParams.set("page", String(p));
			url.searchParams.set("page_size", String(pageSize));
			return url.toString();
		};
		return c.json({
			count,
			next: page * pageSize < count ? link(page + 1) : null,
			previous: page > 1 ? link(page - 1) : null,
			results: rows.map(memoryView),
		});
	})
	.post("/v3/memories/search/", valid("json", searchBody), async (c) => {
		const body = c.req.valid("json");
		const hits = await searchMemories(memoryContext(c), memoryOwner(c.get("caller")), {
			query: body.query,
			filter: scopeFilter(body),
			topK: body.top_k,
			threshold: body.threshold,
			keyword: body.keyword_search,
			rerank: body.rerank,
		});
		return c.json({ results: hits.map((h) => ({ ...memoryView(h.row), score: h.score })) });
	})
	.delete("/v1/memories/", valid("query", deleteAllQuery), async (c) => {
		const rows = await selectMemories(c.env, memoryOwner(c.get("caller")), scopeFilter(c.req.valid("query")));
		await unindexMemories(c.env, rows);
		await deleteMemories(c.env, rows);
		audit(c, { action: "memory.delete", objectType: "memory", detail: { count: rows.length, filter: c.req.valid("query") } });
		return c.json({ message: "Memories deleted successfully!" });
	})
	.get("/v1/memories/:memory_id/history/", valid("param", memoryParam), async (c) => {
		const owner = memoryOwner(c.get("caller"));
		const { memory_id } = c.req.valid("param");
		const history = await historyOf(c.env, owner, memory_id);
		const row = await findMemory(c.env, owner, memory_id).catch(() => undefined);
		return c.json(history.map((h) => historyView(h, row?.entityUserId ?? null)));
	})
	.get("/v1/memories/:memory_id/", valid("param", memoryParam), async (c) => {
		return c.json(memoryView(await findMemory(c.env, memoryOwner(c.get("caller")), c.req.valid("param").memory_id)));
	})
	.put("/v1/memories/:memory_id/", valid("param", memoryParam), valid("json", updateBody), async (c) => {
		const body = c.req.valid("json");
		const row = await findMemory(c.env, memoryOwner(c.get("caller")), c.req.valid("param").memory_id);
		const text = body.text ?? body.memory;
		// Embedded before anything is written: a refused embedding (limits, budget) leaves the memory as it was.
		const vectors = text !== undefined && text !== row.memory ? await embedTexts(memoryContext(c), "/mem0/v1/memories/", [text]) : [];
		const updated = await updateMemory(c.env, row, { text, metadata: body.metadata, dimensions: vectors[0]?.length });
		await indexMemories(c.env, [updated], vectors);
		return c.json(memoryView(updated));
	})
	.delete("/v1/memories/:memory_id/", valid("param", memoryParam), async (c) => {
		const row = await findMemory(c.env, memoryOwner(c.get("caller")), c.req.valid("param").memory_id);
		await unindexMemories(c.env, [row]);
		await deleteMemories(c.env, [row]);
		audit(c, { action: "memory.delete", objectType: "memory", objectId: row.id, detail: { count: 1 } });
		return c.json({ message: "Memory deleted successfully!" });
	});
