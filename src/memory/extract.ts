import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { type MemoryMessage, memoryMessage } from "../../queues/memory-message";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { ownerRelayRequest, recordFailure } from "../knowledge/owner-relay";
import { memoryFactsFormat } from "../protocols/memory-facts";
import { openaiIngress } from "../protocols/openai";
import { chatCompletionRequest } from "../protocols/openai/request";
import { callerForKey } from "../relay/callers";
import { relayChat } from "../relay/chat";
import { insertMemories } from "./memories";
import { embedTexts, indexMemories, type MemoryContext } from "./vectors";

/** Tries of one message: wrangler.toml's max_retries (3) + 1. After the last, its event is FAILED with the reason. */
const TRIES = 4;
/** Where the usage log says the extraction's model and embedding calls came from. */
const ENDPOINT = "/mem0/v3/memories/add/";

const PROMPT = `You extract facts worth remembering about the user from a conversation.
Return every fact the user states about themselves, their preferences, plans, relationships and circumstances, each as
one short self-contained sentence in the user's language. Ignore questions, greetings and what the assistant says.
Answer with JSON only: {"facts": ["..."]}; no facts: {"facts": []}.`;

const completion = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1) });
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
	const vectors = facts.length > 0 ? await embedTexts({ ...mctx, requestId: `${msg.event_id}-embed` }, ENDPOINT, facts) : [];
	const rows = await insertMemories(
		env,
		msg.owner_id,
		facts.map((memory) => ({ memory, entities: msg.entities, metadata: msg.metadata })),
		vectors[0]?.length ?? null,
	);
	await indexMemories(env, rows, vectors);
	const results = rows.map((r) => ({ id: r.id, data: { memory: r.memory }, event: "ADD" as const }));
	await finish(env, msg, { status: "SUCCEEDED", results, error: null });
}

/**
 * The facts MEMORY_MODEL finds in the conversation, asked through the gateway's own channels as the owner's key
 * (admitted, limited and billed like the owner's own chat request). Each try is a call of its own, billed as one.
 */
async function askFacts(ctx: MemoryContext, msg: MemoryMessage): Promise<string[]> {
	const input = chatCompletionRequest.parse({
		model: ctx.env.MEMORY_MODEL,
		messages: [{ role: "system", content: PROMPT }, ...msg.messages],
		response_format: memoryFactsFormat,
		temperature: 0,
	});
	const req = ownerRelayRequest(ctx, ctx.requestId, ENDPOINT);
	let res: Response;
	try {
		res = await relayChat(req, { ingress: openaiIngress, native: input, chat: openaiIngress.toChat(input), stream: false });
	} catch (err) {
		recordFailure(ctx, req, err);
		throw err;
	}
	const content = completion.parse(await res.json()).choices[0]?.message.content ?? "";
	const reply = factsReply.safeParse(parseJson(content));
	if (!reply.success) throw new Error(`${ctx.env.MEMORY_MODEL} did not answer with the JSON asked for ({"facts": [...]}): ${excerpt(content)}`);
	return reply.data.facts.map((f) => f.trim()).filter((f) => f !== "");
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

const excerpt = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Ends a PENDING event; one already ended stays as it is. */
async function finish(env: Env, msg: MemoryMessage, end: { status: "SUCCEEDED" | "FAILED"; results: unknown[] | null; error: string | null }): Promise<void> {
	await db(env)
		.update(memoryEvents)
		.set({ ...end, updatedAt: Date.now() })
		.where(and(eq(memoryEvents.id, msg.event_id), eq(memoryEvents.ownerId, msg.owner_id), eq(memoryEvents.status, "PENDING")));
}
