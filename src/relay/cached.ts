import { currentPrices } from "../billing/price-book";
import { chunkEvents, eventStream } from "../cache/replay";
import { type CacheHit, type CachePlan, cachePlan, findAnswer } from "../cache/response-cache";
import { routesByName } from "../channels/model-routes";
import { config } from "../env";
import { usageOf } from "../protocols/ir";
import { sseTransform } from "../protocols/sse";
import { resolveModel } from "./aliases";
import { reserveWithGovernors } from "./governor";
import { answered, type ChatCall, type RelayRequest } from "./request";
import { streamHeaders } from "./stream";

/**
 * The request's cache plan and, when it may be served from the cache, the stored answer. Nothing is read (not even
 * the model routes) for a request whose key, app and headers leave the cache off. A key that may not use the model
 * is not served from the cache either: the relay refuses it as ever.
 */
export async function consultCache(req: RelayRequest, call: ChatCall): Promise<{ plan?: CachePlan; hit?: CacheHit }> {
	if (!call.cache && !req.clientHeaders.has("x-gateway-cache")) return {};
	const resolved = resolveModel(await routesByName(req.env), call.chat.model);
	if (req.caller.models && !req.caller.models.includes(resolved.requested)) return {};
	const plan = await cachePlan(req, call, resolved.chain);
	if (!plan) return {};
	const hit = await findAnswer(req, plan);
	req.responseHeaders.set("x-gateway-cache", hit ? (hit.kind === "exact" ? "hit" : "semantic-hit") : plan.read ? "miss" : "bypass");
	return hit ? { plan, hit } : { plan };
}

/**
 * A stored answer served in the client's dialect, whole or as a stream (replayed in pieces, ending as a channel's
 * stream ends), with its age. Its record carries the tokens it would have cost, what it was charged (CACHE_HIT_PRICE
 * of that) and what it saved. A charged hit is admitted by the key's limits like any request; a free one uses none.
 */
export async function serveCached(req: RelayRequest, call: ChatCall, { kind, entry, similarity }: CacheHit): Promise<Response> {
	const { meter, env } = req;
	const { ingress } = call;
	const chargeFraction = config(env).cacheHitPrice;
	meter.model = entry.model;
	meter.stream = call.stream;
	const book = await currentPrices(env);
	meter.prices = book;
	if (chargeFraction > 0) {
		const targets = [{ model: entry.model, channelId: entry.channelId ?? 0 }];
		await reserveWithGovernors(req, book, targets, () => ({ promptTokens: entry.usage.promptTokens, outputTokens: entry.usage.completionTokens }));
	}
	req.responseHeaders.set("age", String(Math.max(0, Math.floor((Date.now() - entry.createdAt) / 1000))));
	if (similarity !== undefined) req.responseHeaders.set("x-gateway-cache-similarity", similarity.toFixed(4));
	req.responseHeaders.set("x-gateway-model", entry.model);
	meter.deferred = true;
	const cacheHit = { kind, pricedChannelId: entry.channelId, chargeFraction };
	req.waitUntil(meter.record({ status: 200, usage: entry.usage, cacheHit, ttfbMs: Date.now() - meter.startedAt }));
	// A new response to the client, with the stored answer's content.
	const answer = { ...entry.answer, id: `chatcmpl-cache-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000), model: entry.model };
	if (!call.stream) {
		const json = ingress.fromChat(answer, entry.model);
		return answered(req, JSON.stringify(call.annotate ? call.annotate.answer(json) : json), { "content-type": "application/json" });
	}
	const forwardUsage = ingress.wire !== "openai" || call.chat.stream_options?.include_usage === true;
	const { promptTokens, completionTokens, cachedTokens } = entry.usage;
	let out = eventStream(chunkEvents(answer, forwardUsage ? usageOf(promptTokens, completionTokens, cachedTokens) : undefined));
	if (ingress.streamFromChat) out = out.pipeThrough(sseTransform(ingress.streamFromChat(entry.model, () => promptTokens)));
	if (call.annotate) out = out.pipeThrough(sseTransform(call.annotate.stream()));
	return answered(req, out, streamHeaders(ingress));
}
