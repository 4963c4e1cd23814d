import { config } from "../env";
import { parseJsonObject } from "../lib/json-depth";
import { estimatePromptTokens } from "../protocols/prompt-estimate";
import { readUsage } from "../protocols/usage";
import { dispatch } from "./dispatch";
import { chatAnswerReader } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type ChatCall, type RelayRequest } from "./request";
import { streamAnswer } from "./stream";
import { requestFor } from "./translate";

/**
 * One chat request after validation, whatever dialect the client speaks: admitted, translated for each channel,
 * dispatched with failover (a whole answer is read before it counts, so one that cannot be read fails over), and
 * answered in the client's dialect (streams event by event). Usage is metered on the side.
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
	const read = chatAnswerReader(call);
	const done = await dispatch(req, { op: "chat", model: chat.model, stream, bodyFor: requestFor(call), estimate, read, user: chat.user });
	const { answer } = done;
	// An alias's answer names the model that gave it, wherever the gateway writes the name.
	const answering = done.model === chat.model ? call : { ...call, chat: { ...chat, model: done.model } };
	if (answer.kind === "stream") return streamAnswer(req, answering, done, answer.body, promptTokens);
	if (answer.kind === "passed") {
		recordAnswer(req, answer.usage, promptTokens, answer.text.length);
		// Parsed again (bounded, as it is then written out whole) only when something is added to it.
		const json = call.annotate && parseJsonObject(answer.text);
		const text = call.annotate && json ? JSON.stringify(call.annotate.answer(json)) : answer.text;
		return answered(req, text, { "content-type": done.response.headers.get("content-type") ?? "application/json" });
	}
	recordAnswer(req, readUsage(answer.chat.usage), promptTokens, answer.text.length);
	const json = ingress.fromChat(answer.chat, done.model);
	return answered(req, JSON.stringify(call.annotate ? call.annotate.answer(json) : json), { "content-type": "application/json" });
}
