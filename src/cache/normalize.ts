import { canonicalJson } from "../lib/canonical-json";
import { sha256Hex } from "../lib/crypto";
import type { ChatCall } from "../relay/request";

/**
 * Fields that do not change an answer: how it is delivered (`stream`, `stream_options`), who it is for (`user`,
 * Anthropic's `metadata.user_id`, OpenAI's stored-completion `metadata` and `store`), and the model's name as the
 * client wrote it, which the resolved chain replaces (an alias and its target share entries).
 */
const IGNORED = new Set(["model", "stream", "stream_options", "user", "metadata", "store"]);

/** A request body without the fields that do not change its answer. */
export function answering(body: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(body).filter(([k]) => !IGNORED.has(k)));
}

/**
 * The exact cache's key for a request: SHA-256 of its normalized form (canonical JSON: keys sorted, unset values
 * dropped). Both the client's body (every field a channel of its own wire receives, sampling and tools included) and
 * the internal representation (which also holds what the gateway put in the prompt: retrieved files, memories, a
 * conversation's history) are hashed, so a request is only ever served an answer to the same question in the same
 * context. `models` is the model after aliasing: the chain of models that may answer, in order.
 */
export function requestHash(call: Pick<ChatCall, "chat" | "native">, models: string): Promise<string> {
	return sha256Hex(canonicalJson({ v: 1, models, chat: answering(call.chat), native: answering(call.native) }));
}
