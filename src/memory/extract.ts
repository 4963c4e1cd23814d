import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { MEMORY_QUEUE, type MemoryMessage, memoryMessage } from "../../queues/memory-message";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { traceMessage } from "../observability/queue-span";
import type { Span } from "../observability/tracer";
import { memoryFactsFormat } from "../protocols/memory-facts";
import { callerForKey } from "../relay/callers";
import { askModel, MEMORY_ENDPOINT, type ModelContext, memoryModelOf } from "./ask-model";
import { consolidate } from "./consolidate";
import { storedMemories, storeFacts } from "./extract-store";
import type { MemoryRow } from "./memories";
import { embedTexts, indexMemories } from "./vectors";

/** Tries of one message: wrangler.toml's max_retries (3) + 1. After the last, its event is FAILED with the reason. */
const TRIES = 4;

const PROMPT = `You extract facts worth remembering about the user from a conversation.
Return every fact the user states about themselves, their preferences, plans, relationships and circumstances, each as
one short self-contained sentence in the user's language. Ignore questions, greetings and what the assistant says.
Answer with JSON only: {"facts": ["..."]}; no facts: {"facts": []}.`;

// A finished conversation of a chat app with memory on (src/conversations/summarise.ts): what it leaves to remember.
const SUMMARY_PROMPT = `You sum up a finished conversation between a user and an assistant into memories about the user.
Return what is worth remembering for later conversations: the topics the user raised, their needs, the conclusions
reached, and their preferences, each as one short self-contained sentence about the user in the user's language.
Leave out small talk and anything only the assistant said that the user did not take up.
Answer with JSON only: {"facts": ["..."]}; nothing worth remembering: {"facts": []}.`;

const factsReply = z.object({ facts: z.array(z.string()) });

/**
 * Extracts the facts of `infer: true` adds (one message each) into memories, and finishes their events. The facts
 * are stored and the event moved to RUNNING in one transaction (extract-store.ts): a redelivery of a RUNNING event
 * only indexes, consolidates and finishes what was stored, one of a finished event does nothing, so no redelivery
 * adds anything twice, even after a crash between storing and finishing. A failure (the model's
 * channel down, a reply that is not the JSON asked for) is retried with backoff; after the last try the event is
 * FAILED with the reason, which the client reads from GET /mem0/v1/event/{id}/.
 */
export async function consumeMemory(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
	for (const message of batch.messages) {
		const parsed = memoryMessage.safeParse(message.body);
		if (!parsed.success) {
			// Not ours to read: it goes to the dead-letter queue, and from there into dead_jobs for an operator.
			message.retry();
			continue;
		}
		try {
			const msg = parsed.data;
			const about = { "gateway.memory_event_id": msg.event_id, "gateway.memory_kind": msg.kind ?? "facts", "messaging.delivery.attempt": message.attempts };
			await traceMessage(env, ctx, MEMORY_QUEUE, msg.traceparent, about, (span) => extract(env, ctx, msg, message.attempts, span));
			metrics.inc(F.memoryExtractions, ["succeeded"]);
			message.ack();
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			if (message.attempts < TRIES) {
				metrics.inc(F.memoryExtractions, ["retried"]);
				message.retry({ delaySeconds: Math.min(300, 5 * 2 ** (message.attempts - 1)) });
				continue;
			}
			await finish(env, parsed.data, { status: "FAILED", results: null, error: `Extraction failed after ${TRIES} tries: ${reason}` });
			metrics.inc(F.memoryExtractions, ["failed"]);
			message.ack();
		}
	}
}

async function extract(env: Env, ctx: ExecutionContext, msg: MemoryMessage, attempt: number, span: Span): Promise<void> {
	const [event] = await db(env)
		.select({ status: memoryEvents.status, results: memoryEvents.results })
		.from(memoryEvents)
		.where(and(eq(memoryEvents.id, msg.event_id), eq(memoryEvents.ownerId, msg.owner_id)))
		.limit(1);
	if (event?.status !== "PENDING" && event?.status !== "RUNNING") return;
	const caller = await callerForKey(env, msg.key_id, msg.owner_id);
	const mctx: ModelContext = {
		env,
		waitUntil: (w) => ctx.waitUntil(w),
		caller,
		trace: span,
		requestId: `${msg.event_id}-extract-${attempt}`,
		model: await memoryModelOf(env, msg.owner_id),
	};
	if (event.status === "RUNNING") {
		// An earlier delivery stored the memories and stopped before the end: index and consolidate those, add none.
		const rows = await storedMemories(env, msg.owner_id, event.results);
		const texts = rows.map((r) => r.memory);
		const vectors = texts.length > 0 ? await embedTexts({ ...mctx, requestId: `${msg.event_id}-reembed-${attempt}` }, MEMORY_ENDPOINT, texts) : [];
		return settle(mctx, msg, rows, vectors);
	}
	const facts = await askFacts(mctx, msg);
	const vectors = facts.length > 0 ? await embedTexts({ ...mctx, requestId: `${msg.event_id}-embed` }, MEMORY_ENDPOINT, facts) : [];
	const rows = await storeFacts(env, msg, facts, vectors[0]?.length ?? null);
	// Null: another delivery of the message stored its facts meanwhile; look again (RUNNING: finish its work, in case it died).
	if (rows === null) return extract(env, ctx, msg, attempt, span);
	await settle(mctx, msg, rows, vectors);
}

/** Indexes the stored memories, consolidates them with the entity's older ones and finishes the event. */
async function settle(ctx: ModelContext, msg: MemoryMessage, rows: readonly MemoryRow[], vectors: readonly Float32Array[]): Promise<void> {
	await indexMemories(ctx.env, rows, vectors);
	// MEMORY_CONSOLIDATION "off" keeps every fact current, as Mem0 v3 does (add only): the baseline of bench:memory.
	const superseded = ctx.env.MEMORY_CONSOLIDATION === "off" ? [] : await consolidate({ ...ctx, requestId: `${msg.event_id}-consolidate` }, rows, vectors);
	const byId = new Map(rows.map((r) => [r.id, r.memory]));
	const results = [
		...rows.map((r) => ({ id: r.id, data: { memory: r.memory }, event: "ADD" as const })),
		// As Mem0 reports a memory its add changed: the new text, and the one it replaced.
		...superseded.map(({ old, by }) => ({ id: old.id, data: { memory: byId.get(by) ?? "" }, previous_memory: old.memory, event: "UPDATE" as const })),
	];
	await finish(ctx.env, msg, { status: "SUCCEEDED", results, error: null });
}

/** The facts the owner's memory model finds in the conversation. Each try is a call of its own, billed as one. */
async function askFacts(ctx: ModelContext, msg: MemoryMessage): Promise<string[]> {
	const prompt = msg.kind === "summary" ? SUMMARY_PROMPT : PROMPT;
	const { facts } = await askModel(ctx, [{ role: "system", content: prompt }, ...msg.messages], memoryFactsFormat, factsReply);
	return facts.map((f) => f.trim()).filter((f) => f !== "");
}

/**
 * Ends a PENDING or RUNNING event; one already ended stays as it is. A RUNNING event that FAILS keeps its results:
 * its memories were stored (and stay, found by their words even if not indexed).
 */
async function finish(env: Env, msg: MemoryMessage, end: { status: "SUCCEEDED" | "FAILED"; results: unknown[] | null; error: string | null }): Promise<void> {
	await db(env)
		.update(memoryEvents)
		.set({ status: end.status, results: end.results ?? sql`${memoryEvents.results}`, error: end.error, updatedAt: Date.now() })
		.where(and(eq(memoryEvents.id, msg.event_id), eq(memoryEvents.ownerId, msg.owner_id), inArray(memoryEvents.status, ["PENDING", "RUNNING"])));
}
