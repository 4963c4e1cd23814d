import { config } from "../env";
import { egressCodecs } from "../protocols/egress";
import { estimatePromptTokens } from "../protocols/prompt-estimate";
import { readUsage } from "../protocols/usage";
import { providers } from "../providers/registry";
import { dispatch } from "./dispatch";
import { recordAnswer } from "./record";
import { answered, type ChatCall, type RelayRequest } from "./request";
import { streamAnswer } from "./stream";
import { readAnswer, requestFor, translateAnswer } from "./translate";

/**
 * One chat request after validation, whatever dialect the client speaks: admitted, translated for each channel,
 * dispatched with failover, and answered in the client's dialect (streams event by event). Usage is metered on
 * the side.
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
	const done = await dispatch(req, { op: "chat", model: chat.model, stream, bodyFor: requestFor(call), estimate });
	const upstream = done.response;
	const isSse = upstream.headers.get("content-type")?.includes("text/event-stream") ?? false;
	if (stream && isSse && upstream.body) return streamAnswer(req, call, done, upstream.body, promptTokens);

	const wire = providers[done.channel.type].wire;
	const egress = egressCodecs[wire];
	const same = wire === ingress.wire;
	const { text, json } = await readAnswer(upstream, req.requestId, !same);
	if (same) {
		recordAnswer(req, egress.readUsage(json), promptTokens, text.length);
		return answered(req, text, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
	}
	const { answer, translated } = translateAnswer(call, egress, json, req.requestId);
	recordAnswer(req, readUsage(answer.usage), promptTokens, text.length);
	return answered(req, JSON.stringify(translated), { "content-type": "application/json" });
}
