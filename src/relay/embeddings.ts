import { estimateInputTokens } from "../protocols/prompt-estimate";
import { dispatch } from "./dispatch";
import { readEmbeddings } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type RelayRequest } from "./request";

/** Embeddings: OpenAI's format on the way in and out; a provider with another wire translates inside itself. */
export async function relayEmbeddings(req: RelayRequest, body: Record<string, unknown>): Promise<Response> {
	let tokens: number | undefined;
	const inputTokens = () => (tokens ??= estimateInputTokens(body.input));
	const estimate = () => ({ promptTokens: inputTokens(), outputTokens: 0 });
	const done = await dispatch(req, { op: "embeddings", model: String(body.model), stream: false, bodyFor: () => body, estimate, read: readEmbeddings });
	recordAnswer(req, done.answer.usage, inputTokens, 0);
	return answered(req, done.answer.text, { "content-type": done.response.headers.get("content-type") ?? "application/json" });
}
