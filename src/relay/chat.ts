import { type CachePlan, keepAnswer } from "../cache/response-cache";
import { config } from "../env";
import { parseJsonObject } from "../lib/json-depth";
import { egressCodecs } from "../protocols/egress";
import { estimatePromptTokens } from "../protocols/prompt-estimate";
import { readUsage, type Usage } from "../protocols/usage";
import { providers } from "../providers/registry";
import { consultCache, serveCached } from "./cached";
import { dispatch, type Routed } from "./dispatch";
import { type ChatAnswer, chatAnswerReader } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type ChatCall, type RelayRequest } from "./request";
import { streamAnswer } from "./stream";
import { requestFor } from "./translate";

/**
 * One chat request after validation, whatever dialect the client speaks: admitted, translated for each channel,
 * dispatched with failover (a whole answer is read before it counts, so one that cannot be read fails over), and
 * answered in the client's dialect (streams event by event). Usage is metered on the side. With the response cache
 * on, a stored answer is served instead (nothing is dispatched), and a complete answer is kept for the next time.
 */
export async function relayChat(req: RelayRequest, call: ChatCall): Promise<Response> {
	const { ingress, chat, stream } = call;
	// Estimated at most once, and only if something needs it: a hold, a missing usage, a translated stream's start.
	let prompt: number | undefined;
	const promptTokens = () => (prompt ??= estimatePromptTokens(chat));
	const estimate = () => ({
		promptTokens: promptTokens(),
		outputTokens: chat.max_completion_tokens ?? chat.max_tokens ?? config(req.env).reserveDefaultOutputTokens,
	});
	const { plan, hit } = await consultCache(req, call);
	if (hit) return serveCached(req, call, hit);
	const read = chatAnswerReader(call);
	const done = await dispatch(req, { op: "chat", model: chat.model, stream, bodyFor: requestFor(call), estimate, read, user: chat.user });
	const { answer } = done;
	// An alias's answer names the model that gave it, wherever the gateway writes the name.
	const answering = done.model === chat.model ? call : { ...call, chat: { ...chat, model: done.model } };
	if (answer.kind === "stream") return streamAnswer(req, answering, done, answer.body, promptTokens, plan);
	if (answer.kind === "passed") {
		const usage = recordAnswer(req, answer.usage, promptTokens, answer.text.length);
		if (plan) keepPassed(req, plan, done, answer.text, usage);
		// Parsed again (bounded, as it is then written out whole) only when something is added to it.
		const json = call.annotate && parseJsonObject(answer.text);
		const text = call.annotate && json ? JSON.stringify(call.annotate.answer(json)) : answer.text;
		return answered(req, text, { "content-type": done.response.headers.get("content-type") ?? "application/json" });
	}
	const usage = recordAnswer(req, readUsage(answer.chat.usage), promptTokens, answer.text.length);
	if (plan) keepAnswer(req, plan, { answer: answer.chat, model: done.model, channelId: done.channel.id, usage });
	const json = ingress.fromChat(answer.chat, done.model);
	return answered(req, JSON.stringify(call.annotate ? call.annotate.answer(json) : json), { "content-type": "application/json" });
}

/** An answer passed through in the client's own wire, kept in the cache in the internal representation. */
function keepPassed(req: RelayRequest, plan: CachePlan, done: Routed<ChatAnswer>, text: string, usage: Usage): void {
	const json = parseJsonObject(text);
	if (!json) return;
	try {
		const answer = egressCodecs[providers[done.channel.type].wire].toChat(json, done.model);
		keepAnswer(req, plan, { answer, model: done.model, channelId: done.channel.id, usage });
	} catch {
		// Not in its API's format after all: passed on as it was, never kept.
	}
}
