import { eq } from "drizzle-orm";
import { z } from "zod";
import { db } from "../db/client";
import { users } from "../db/schema";
import { ownerRelayRequest, recordFailure } from "../knowledge/owner-relay";
import { openaiIngress } from "../protocols/openai";
import { chatCompletionRequest } from "../protocols/openai/request";
import { relayChat } from "../relay/chat";
import type { MemoryContext } from "./vectors";

/** Where the usage log says the memory's model calls (extraction, consolidation) came from. */
export const MEMORY_ENDPOINT = "/mem0/v3/memories/add/";

const completion = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1) });

/** Whom a memory model call is for: the owner's key, and the model that owner's memories use (`memoryModelOf`). */
export interface ModelContext extends MemoryContext {
	model: string;
}

/** The chat model of an owner's memories: their own (`users.memory_model`, set by the operator), else MEMORY_MODEL. */
export async function memoryModelOf(env: Env, ownerId: number): Promise<string> {
	const [row] = await db(env).select({ model: users.memoryModel }).from(users).where(eq(users.id, ownerId)).limit(1);
	return row?.model ?? env.MEMORY_MODEL;
}

/**
 * Asks `ctx.model` for strict JSON (`format`, a `json_schema` response format) through the gateway's own channels as
 * the owner's key: admitted, limited and billed like the owner's own chat request, under `ctx.requestId`. A reply that
 * is not the JSON asked for throws, saying what came instead.
 */
export async function askModel<T>(
	ctx: ModelContext,
	messages: readonly { role: string; content: string }[],
	format: Record<string, unknown>,
	reply: z.ZodType<T>,
): Promise<T> {
	const { model } = ctx;
	const input = chatCompletionRequest.parse({ model, messages, response_format: format, temperature: 0 });
	const req = ownerRelayRequest(ctx, ctx.requestId, MEMORY_ENDPOINT);
	let res: Response;
	try {
		res = await relayChat(req, { ingress: openaiIngress, native: input, chat: openaiIngress.toChat(input), stream: false });
	} catch (err) {
		recordFailure(ctx, req, err);
		throw err;
	}
	const content = completion.parse(await res.json()).choices[0]?.message.content ?? "";
	const parsed = reply.safeParse(parseJson(content));
	if (!parsed.success) throw new Error(`${model} did not answer with the JSON asked for: ${excerpt(content)}`);
	return parsed.data;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

const excerpt = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
