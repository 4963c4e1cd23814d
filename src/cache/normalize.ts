import { sha256Hex } from "../lib/crypto";
import type { ChatCall } from "../relay/request";

/**
 * Fields that do not change an answer: how it is delivered (`stream`, `stream_options`), who it is for (`user`,
 * Anthropic's `metadata.user_id`, OpenAI's stored-completion `metadata` and `store`), and the model's name as the
 * client wrote it, which the resolved chain replaces (an alias and its target share entries).
 */
const IGNORED = new Set(["model", "stream", "stream_options", "user", "metadata", "store"]);

/** A value with object keys sorted and absent values dropped, so two spellings of one request serialize alike. */
function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonical(v)));
	if (typeof value !== "object" || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value).sort()) {
		const v: unknown = Reflect.get(value, key);
		if (v !== undefined && v !== null) out[key] = canonical(v);
	}
	return out;
}

function answering(body: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(body).filter(([k]) => !IGNORED.has(k)));
}

/**
 * The exact cache's key for a request: SHA-256 of its normalized form. Both the client's body (every field a
 * channel of its own wire receives, sampling and tools included) and the internal representation (which also
 * holds what the gateway put in the prompt: retrieved files, memories, a conversation's history) are hashed, so a
 * request is only ever served an answer to the same question in the same context. `chain` is the model after
 * aliasing: the models that may answer, in order.
 */
export function requestHash(call: Pick<ChatCall, "chat" | "native">, chain: readonly string[]): Promise<string> {
	return sha256Hex(JSON.stringify(canonical({ v: 1, models: chain, chat: answering(call.chat), native: answering(call.native) })));
}
