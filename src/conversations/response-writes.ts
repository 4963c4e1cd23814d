import { z } from "zod";
import { type ResponseWrite, readResponse, type StoredResponse, storedResponse, writeStatements } from "./responses";

/**
 * Writing a stored response, or a Dify turn, without losing it. The write is tried twice against D1; if both fail, the write is
 * spooled to R2 (`spool/responses/<id>.json`), where a read of that response finds it at once (so a follow-up sent
 * the instant the answer ended still has its history) and the cron lands it in D1 later. Lost only if D1 and R2
 * both fail, which is logged.
 */
const SPOOL = "spool/responses/";
const TRIES = 2;

const storedItem = z.object({
	id: z.string(),
	type: z.enum(["message", "function_call", "function_call_output", "reasoning"]),
	role: z.string().nullable(),
	item: z.looseObject({ id: z.string(), type: z.string() }),
});

const turn = z.object({
	id: z.string(),
	conversationId: z.string(),
	ownerId: z.number(),
	model: z.string(),
	status: z.enum(["completed", "incomplete", "failed", "stopped"]),
	inputTokens: z.number(),
	outputTokens: z.number(),
	costNusd: z.number(),
	latencyMs: z.number(),
	sources: z.array(z.record(z.string(), z.unknown())),
	items: z.array(storedItem),
});

const newConversation = z.object({
	id: z.string(),
	scope: z.object({ ownerId: z.number(), appId: z.string(), endUser: z.string() }),
	keyId: z.number(),
	name: z.string(),
	inputs: z.record(z.string(), z.string()),
});

const spooled = z.object({ response: storedResponse.optional(), conversation: newConversation.optional(), turn: turn.optional() });

const spoolKey = (id: string) => `${SPOOL}${id}.json`;

function idOf(w: ResponseWrite): string | undefined {
	return w.response?.id ?? w.turn?.id;
}

/** Lands a write in D1, or failing that in the R2 spool; never throws (the client has its answer, or is about to). */
export async function saveWrite(env: Env, w: ResponseWrite): Promise<void> {
	const statements = writeStatements(env.DB, w);
	if (statements.length === 0) return;
	let failure: unknown;
	for (let i = 0; i < TRIES; i++) {
		try {
			await env.DB.batch(statements);
			return;
		} catch (err) {
			failure = err;
		}
	}
	const id = idOf(w) ?? crypto.randomUUID();
	try {
		await env.FILES.put(spoolKey(id), JSON.stringify(w), { httpMetadata: { contentType: "application/json" } });
		console.warn(JSON.stringify({ level: "warn", event: "conversation_write_spooled", id, error: String(failure) }));
	} catch (err) {
		console.error(JSON.stringify({ level: "error", event: "conversation_write_lost", id, error: String(failure), spool_error: String(err) }));
	}
}

async function readSpooled(env: Env, id: string): Promise<ResponseWrite | undefined> {
	const object = await env.FILES.get(spoolKey(id));
	if (object === null) return undefined;
	const parsed = spooled.safeParse(await object.json());
	return parsed.success ? { response: parsed.data.response, conversation: parsed.data.conversation, turn: parsed.data.turn } : undefined;
}

/** `ownerId`'s stored response, from D1 or else from the spool; undefined when there is none or it is another user's. */
export async function findResponse(env: Env, id: string, ownerId: number, now: number): Promise<StoredResponse | undefined> {
	return (await readResponse(env.DB, id, ownerId, now)) ?? spooledResponse(env, id, ownerId, now);
}

/** `ownerId`'s response written to the spool because D1 refused it, unexpired; undefined when there is none. */
export async function spooledResponse(env: Env, id: string, ownerId: number, now: number): Promise<StoredResponse | undefined> {
	const response = (await readSpooled(env, id))?.response;
	return response && response.ownerId === ownerId && (response.expiresAt === null || response.expiresAt > now) ? response : undefined;
}

/** The cron's share: lands spooled writes in D1 (idempotently: a write already there adds nothing) and clears them. */
export async function drainResponseSpool(env: Env, limit = 100): Promise<number> {
	const listed = await env.FILES.list({ prefix: SPOOL, limit });
	let landed = 0;
	for (const object of listed.objects) {
		const id = object.key.slice(SPOOL.length, -".json".length);
		const w = await readSpooled(env, id);
		if (w) await env.DB.batch(writeStatements(env.DB, w));
		await env.FILES.delete(object.key);
		landed++;
	}
	return landed;
}
