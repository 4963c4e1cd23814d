import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { type MemoryMessage, memoryMessage } from "../../queues/memory-message";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { memoryFactsFormat } from "../protocols/memory-facts";
import { callerForKey } from "../relay/callers";
import { askModel, MEMORY_ENDPOINT } from "./ask-model";
import { consolidate } from "./consolidate";
import { insertMemories } from "./memories";
import { embedTexts, indexMemories, type MemoryContext } from "./vectors";

/** Tries of one message: wrangler.toml's max_retries (3) + 1. After the last, its event is FAILED with the reason. */
const TRIES = 4;

const PROMPT = `You extract facts worth remembering about the user from a conversation.
Return every fact the user states about themselves, their preferences, plans, relationships and circumstances, each as
one short self-contained sentence in the user's language. Ignore questions, greetings and what the assistant says.
Answer with JSON only: {"facts": ["..."]}; no facts: {"facts": []}.`;

const factsReply = z.object({ facts: z.array(z.string()) });

/**
 * Extracts the facts of `infer: true` adds (one message each) into memories, and finishes their events. A message
 * whose event is no longer PENDING is done and skipped, so a redelivery adds nothing twice. A failure (the model's
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
			await extract(env, ctx, parsed.data, message.attempts);
			message.ack();
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			if (message.attempts < TRIES) {
				message.retry({ delaySeconds: Math.min(300, 5 * 2 ** (message.attempts - 1)) });
				continue;
			}
			await finish(env, parsed.data, { status: "FAILED", results: null, error: `Extraction failed after ${TRIES} tries: ${reason}` });
			message.ack();
		}
	}
}

async function extract(env: Env, ctx: ExecutionContext, msg: MemoryMessage, attempt: number): Promise<void> {
	const [event] = await db(env)
		.select({ status: memoryEvents.status })
		.from(memoryEvents)
		.where(and(eq(memoryEvents.id, msg.event_id), eq(memoryEvents.ownerId, msg.owner_id)))
		.limit(1);
	if (event?.status !== "PENDING") return;
	const caller = await callerForKey(env, msg.key_id, msg.owner_id);
	const mctx: MemoryContext = { env, waitUntil: (w) => ctx.waitUntil(w), caller, requestId: `${msg.event_id}-extract-${attempt}` };
	const facts = await askFacts(mctx, msg);
	const vectors = facts.length > 0 ? await embedTexts({ ...mctx, requestId: `${msg.event_id}-embed` }, MEMORY_ENDPOINT, facts) : [];
	const rows = await insertMemories(
		env,
		msg.owner_id,
		facts.map((memory) => ({ memory, entities: msg.entities, metadata: msg.metadata })),
		vectors[0]?.length ?? null,
	);
	await indexMemories(env, rows, vectors);
	// MEMORY_CONSOLIDATION "off" keeps every fact current, as Mem0 v3 does (add only): the baseline of bench:memory.
	const superseded = env.MEMORY_CONSOLIDATION === "off" ? [] : await consolidate({ ...mctx, requestId: `${msg.event_id}-consolidate` }, rows, vectors);
	const byId = new Map(rows.map((r) => [r.id, r.memory]));
	const results = [
		...rows.map((r) => ({ id: r.id, data: { memory: r.memory }, event: "ADD" as const })),
		// As Mem0 reports a memory its add changed: the new text, and the one it replaced.
		...superseded.map(({ old, by }) => ({ id: old.id, data: { memory: byId.get(by) ?? "" }, previous_memory: old.memory, event: "UPDATE" as const })),
	];
	await finish(env, msg, { status: "SUCCEEDED", results, error: null });
}

/** The facts MEMORY_MODEL finds in the conversation. Each try is a call of its own, billed as one. */
async function askFacts(ctx: MemoryContext, msg: MemoryMessage): Promise<string[]> {
	const { facts } = await askModel(ctx, [{ role: "system", content: PROMPT }, ...msg.messages], memoryFactsFormat, factsReply);
	return facts.map((f) => f.trim()).filter((f) => f !== "");
}

/** Ends a PENDING event; one already ended stays as it is. */
async function finish(env: Env, msg: MemoryMessage, end: { status: "SUCCEEDED" | "FAILED"; results: unknown[] | null; error: string | null }): Promise<void> {
	await db(env)
		.update(memoryEvents)
		.set({ ...end, updatedAt: Date.now() })
		.where(and(eq(memoryEvents.id, msg.event_id), eq(memoryEvents.ownerId, msg.owner_id), eq(memoryEvents.status, "PENDING")));
}
