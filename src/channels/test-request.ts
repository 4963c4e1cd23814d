import type { EncryptionKeys } from "../lib/crypto";
import { parseShallowRead } from "../lib/json-depth";
import { answerExcerpt, shownUrl, upstreamMessage } from "../lib/sanitize";
import { egressCodecs } from "../protocols/egress";
import type { ChatRequest } from "../protocols/ir";
import type { RerankBody } from "../protocols/rerank";
import type { Usage } from "../protocols/usage";
import { providers } from "../providers/registry";
import type { Operation, Provider, SendContext } from "../providers/types";
import { type LiveChannel, targetFor } from "./live";
import { boundedText, errorCodes } from "./upstream-error";

const TEST_TIMEOUT_MS = 15_000;

/** More than any answer to the smallest request (a 3,072-dimension embedding is about 70 KB); a page the URL wrongly names is cut. */
const MAX_ANSWER_BYTES = 1 << 20;

/**
 * The smallest real request a channel can serve: one token of chat, one short embedding, or one document reranked.
 * The model's name says which, and a provider without chat (Cohere, Voyage) is asked what it serves.
 */
function smallestRequest(provider: Provider, model: string): { op: Operation; body: Record<string, unknown> } {
	const serves = (op: Operation) => provider.operations.includes(op);
	const rerank: RerankBody = { model, query: "ping", documents: ["pong"], return_documents: false };
	if (/rerank/i.test(model) && serves("rerank")) return { op: "rerank", body: { ...rerank } };
	if ((/embed/i.test(model) || !serves("chat")) && serves("embeddings")) return { op: "embeddings", body: { model, input: "ping" } };
	if (!serves("chat") && serves("rerank")) return { op: "rerank", body: { ...rerank } };
	const chat: ChatRequest = { model, messages: [{ role: "user", content: "ping" }], max_tokens: 1, stream: false };
	return { op: "chat", body: egressCodecs[provider.wire].fromChat(chat) };
}

const isJsonObject = (text: string) => {
	const json = parseShallowRead(text);
	return typeof json === "object" && json !== null && !Array.isArray(json);
};

/** The answer's token counts, where it reports them: a rerank's are not tokens the price book prices. */
function usageOf(provider: Provider, op: Operation, text: string): Usage | undefined {
	if (op === "rerank") return undefined;
	// Embeddings always come back in OpenAI's shape, whatever the provider speaks for chat.
	return egressCodecs[op === "embeddings" ? "openai" : provider.wire].readUsage(parseShallowRead(text));
}

/**
 * One tiny real request through a channel, reported as an operator needs it to fix the channel: the URL called
 * (without credentials) and the upstream's answer (status, the provider's error codes, and the start of its body,
 * secrets redacted). The breaker's probe reads it as the relay reads an attempt. A 2xx whose
 * body is not JSON is no success: the relay would fail it over. `traceparent`: the operator's request's, passed on.
 */
export async function testChannel(channel: LiveChannel, model: string, env: Env, keys: EncryptionKeys, traceparent?: string) {
	return (await meteredTest(channel, model, env, keys, TEST_TIMEOUT_MS, traceparent)).result;
}

/** The same test, with the usage its answer reports (the active health checks price it) and a timeout of the caller's. */
export async function meteredTest(channel: LiveChannel, model: string, env: Env, keys: EncryptionKeys, timeoutMs: number, traceparent?: string) {
	const started = Date.now();
	let url: string | null = null;
	try {
		const provider = providers[channel.type];
		const target = await targetFor(channel, model, keys);
		const { op, body } = smallestRequest(provider, target.upstreamModel);
		const ctx: SendContext = {
			op,
			stream: false,
			signal: AbortSignal.timeout(timeoutMs),
			clientHeaders: new Headers(),
			traceHeaders: traceparent === undefined ? {} : { traceparent },
			env,
		};
		url = provider.endpoint ? shownUrl(provider.endpoint(target, ctx)) : null;
		const res = await provider.send(body, target, ctx);
		const text = await boundedText(res, MAX_ANSWER_BYTES);
		const error = !res.ok
			? upstreamMessage(text)
			: isJsonObject(text)
				? null
				: `The upstream answered ${res.status}, but not with JSON: is the base URL right?`;
		const error_codes = res.ok ? [] : errorCodes(text);
		const result = { ok: error === null, model, url, status: res.status, latency_ms: Date.now() - started, error, error_codes, body: answerExcerpt(text) };
		return { result, usage: error === null ? usageOf(provider, op, text) : undefined };
	} catch (err) {
		const reason = err instanceof Error && err.name === "TimeoutError" ? "timed out" : upstreamMessage(err instanceof Error ? err.message : String(err));
		const result = { ok: false, model, url, status: null, latency_ms: Date.now() - started, error: reason, error_codes: [], body: null };
		return { result, usage: undefined };
	}
}
