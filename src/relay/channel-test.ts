import { providers } from "../providers/registry";
import { type LiveChannel, targetFor } from "./channels";
import { upstreamMessage } from "./sanitize";

const TEST_TIMEOUT_MS = 15_000;

/** The smallest real request a channel can serve: one token of chat, or one short embedding. */
function probe(model: string): { op: "chat" | "embeddings"; body: Record<string, unknown> } {
	if (/embed/i.test(model)) return { op: "embeddings", body: { model, input: "ping" } };
	return { op: "chat", body: { model, messages: [{ role: "user", content: "ping" }], max_tokens: 1, stream: false } };
}

export async function testChannel(channel: LiveChannel, model: string, encryptionKey: string) {
	const started = Date.now();
	try {
		const target = await targetFor(channel, model, encryptionKey);
		const { op, body } = probe(target.upstreamModel);
		const res = await providers[channel.type].send(op, body, target, AbortSignal.timeout(TEST_TIMEOUT_MS));
		const text = await res.text();
		return { ok: res.ok, model, status: res.status, latency_ms: Date.now() - started, error: res.ok ? null : upstreamMessage(text) };
	} catch (err) {
		const reason = err instanceof Error && err.name === "TimeoutError" ? "timed out" : upstreamMessage(err instanceof Error ? err.message : String(err));
		return { ok: false, model, status: null, latency_ms: Date.now() - started, error: reason };
	}
}
