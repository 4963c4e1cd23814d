import { upstreamMessage } from "../lib/sanitize";
import { egressCodecs } from "../protocols/egress";
import type { ChatRequest } from "../protocols/ir";
import { providers } from "../providers/registry";
import type { Provider, SendContext } from "../providers/types";
import { type LiveChannel, targetFor } from "./live";

const TEST_TIMEOUT_MS = 15_000;

/** The smallest real request a channel can serve: one token of chat, or one short embedding. */
function smallestRequest(provider: Provider, model: string): { op: "chat" | "embeddings"; body: Record<string, unknown> } {
	if (/embed/i.test(model) && provider.operations.includes("embeddings")) return { op: "embeddings", body: { model, input: "ping" } };
	const chat: ChatRequest = { model, messages: [{ role: "user", content: "ping" }], max_tokens: 1, stream: false };
	return { op: "chat", body: egressCodecs[provider.wire].fromChat(chat) };
}

export async function testChannel(channel: LiveChannel, model: string, env: Env, encryptionKey: string) {
	const started = Date.now();
	try {
		const provider = providers[channel.type];
		const target = await targetFor(channel, model, encryptionKey);
		const { op, body } = smallestRequest(provider, target.upstreamModel);
		const ctx: SendContext = { op, stream: false, signal: AbortSignal.timeout(TEST_TIMEOUT_MS), clientHeaders: new Headers(), env };
		const res = await provider.send(body, target, ctx);
		const text = await res.text();
		return { ok: res.ok, model, status: res.status, latency_ms: Date.now() - started, error: res.ok ? null : upstreamMessage(text) };
	} catch (err) {
		const reason = err instanceof Error && err.name === "TimeoutError" ? "timed out" : upstreamMessage(err instanceof Error ? err.message : String(err));
		return { ok: false, model, status: null, latency_ms: Date.now() - started, error: reason };
	}
}
