import { z } from "zod";
import { parseShallowRead } from "../lib/json-depth";
import { estimateTokens } from "../protocols/token-estimate";
import { UnreadableAnswer } from "../providers/types";
import { dispatch } from "./dispatch";
import { textOf } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type RelayRequest } from "./request";

/** OpenAI's moderation answer as far as the gateway relies on it. */
const moderationAnswer = z.looseObject({ results: z.array(z.looseObject({ flagged: z.boolean() })) });

/** The text a moderation input holds: a string, a list of them, or a multimodal list's text parts (images have none). */
export function moderationText(input: unknown): string {
	const parts = Array.isArray(input) ? input : [input];
	return parts
		.map((p) => (typeof p === "string" ? p : typeof p === "object" && p !== null && "text" in p && typeof p.text === "string" ? p.text : ""))
		.join("\n");
}

async function readModeration(upstream: Response): Promise<string> {
	const text = await textOf(upstream);
	if (!moderationAnswer.safeParse(parseShallowRead(text)).success) throw new UnreadableAnswer("it is not OpenAI's moderation response");
	return text;
}

/**
 * Moderation in OpenAI's shape, relayed to the channels that offer it. Billed per request (the price's
 * `request_usd`) and by the input's tokens at the input price: estimated, as no moderation API reports them.
 */
export async function relayModerations(req: RelayRequest, body: Record<string, unknown> & { model: string; input: unknown }): Promise<Response> {
	let tokens: number | undefined;
	const inputTokens = () => (tokens ??= estimateTokens(moderationText(body.input)));
	const done = await dispatch(req, {
		op: "moderations",
		model: body.model,
		stream: false,
		bodyFor: () => ({ ...body }),
		estimate: () => ({ promptTokens: inputTokens(), outputTokens: 0 }),
		read: readModeration,
	});
	recordAnswer(req, undefined, inputTokens, 0);
	return answered(req, done.answer, { "content-type": "application/json" });
}
