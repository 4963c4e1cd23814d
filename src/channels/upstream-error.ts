import { z } from "zod";
import { parseBoundedJson } from "../lib/json-depth";
import { upstreamMessage } from "../lib/sanitize";

/** More than any provider's error JSON needs; an upstream that answers an error with a page is not read to its end. */
const MAX_ERROR_BYTES = 16_384;

// Where providers put the machine-readable part of an error: OpenAI `error.code` and `error.type`, Anthropic
// `error.type`. Only these say who is at fault: the message may echo the client's own request.
const word = z.string().max(100).optional().catch(undefined);
const errorFields = z.looseObject({ error: z.looseObject({ code: word, type: word }) });

/** An upstream's non-2xx answer as the relay weighs it: a short, secret-free message and the provider's error codes. */
export interface UpstreamError {
	message: string;
	codes: string[];
}

export async function readUpstreamError(response: Response): Promise<UpstreamError> {
	const text = await boundedText(response, MAX_ERROR_BYTES);
	return { message: upstreamMessage(text), codes: errorCodes(text) };
}

/** The error's `code` and `type`, when the body is JSON of the usual shape; none otherwise. */
export function errorCodes(text: string): string[] {
	const parsed = errorFields.safeParse(parseBoundedJson(text));
	if (!parsed.success) return [];
	const { code, type } = parsed.data.error;
	return [code, type].filter((c) => c !== undefined);
}

/** An answer's text, read no further than about `max` bytes: an upstream that answers with a page is not read to its end. */
export async function boundedText(response: Response, max: number): Promise<string> {
	if (!response.body) return "";
	const reader = response.body.getReader();
	const decoder = new TextDecoder();
	let text = "";
	let bytes = 0;
	while (bytes < max) {
		const { done, value } = await reader.read();
		if (done) return text + decoder.decode();
		bytes += value.byteLength;
		text += decoder.decode(value, { stream: true });
	}
	// The rest is not wanted; cancelling releases the connection instead of draining it.
	await reader.cancel().catch(() => undefined);
	return text.slice(0, max);
}
