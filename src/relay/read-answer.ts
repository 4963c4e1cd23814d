import { z } from "zod";
import type { LiveChannel } from "../channels/live";
import { parseBoundedJson, parseShallowRead } from "../lib/json-depth";
import { egressCodecs } from "../protocols/egress";
import type { ChatResponse } from "../protocols/ir";
import { type RerankAnswer, readRerankAnswer } from "../protocols/rerank";
import type { Usage } from "../protocols/usage";
import { providers } from "../providers/registry";
import { UnreadableAnswer } from "../providers/types";
import type { ChatCall } from "./request";

/**
 * A channel's chat answer as read inside the failover, before anything reaches the client: a stream to pass on, a
 * whole answer in the client's own dialect (passed through untouched, read for its usage), or one read into the
 * internal representation for translation.
 */
export type ChatAnswer =
	| { kind: "stream"; body: ReadableStream<Uint8Array> }
	| { kind: "passed"; text: string; usage: Usage | undefined }
	| { kind: "translated"; text: string; chat: ChatResponse };

export async function textOf(upstream: Response): Promise<string> {
	try {
		return await upstream.text();
	} catch {
		// Headers arrived but the body did not: nothing reached the client yet, so another channel may still serve.
		throw new UnreadableAnswer("the connection failed while it sent its answer");
	}
}

/**
 * A JSON object, or the channel's failure. An answer passed through is parsed without the depth scan: it is read
 * only for its usage, by a schema that never descends into the rest, and JSON.parse itself does not recurse; the
 * scan would cost about half as much again as the parse on a 1,536-dimension embedding.
 */
export function jsonObject(text: string, bounded: boolean): object {
	const json = bounded ? parseBoundedJson(text) : parseShallowRead(text);
	if (typeof json !== "object" || json === null || Array.isArray(json)) throw new UnreadableAnswer("it is not a JSON object; cut short?");
	return json;
}

/** Reads a chat answer as FailoverInput.read: a 2xx that is not what the channel's wire answers fails over. */
export function chatAnswerReader(call: ChatCall): (upstream: Response, channel: LiveChannel) => Promise<ChatAnswer> {
	return async (upstream, channel) => {
		const isSse = upstream.headers.get("content-type")?.includes("text/event-stream") ?? false;
		// A stream is read as it goes: an event that cannot be read ends it with an error event (see the stream taps).
		if (call.stream && isSse && upstream.body) return { kind: "stream", body: upstream.body };
		const wire = providers[channel.type].wire;
		const egress = egressCodecs[wire];
		const text = await textOf(upstream);
		if (wire === call.ingress.wire) return { kind: "passed", text, usage: egress.readUsage(jsonObject(text, false)) };
		// The codecs and JSON.stringify recurse over an answer to translate: its nesting is bounded first.
		const json = jsonObject(text, true);
		try {
			return { kind: "translated", text, chat: egress.toChat(json, call.chat.model) };
		} catch {
			throw new UnreadableAnswer("it is not in its API's format");
		}
	};
}

/** OpenAI's embedding list, as far as the gateway relies on it: each provider answers embeddings in it. */
const embeddingList = z.object({ data: z.array(z.unknown()) });

/** Reads an embeddings answer as FailoverInput.read. */
export async function readEmbeddings(upstream: Response): Promise<{ text: string; usage: Usage | undefined }> {
	const text = await textOf(upstream);
	const json = jsonObject(text, false);
	if (!embeddingList.safeParse(json).success) throw new UnreadableAnswer("it is not an embedding list");
	return { text, usage: egressCodecs.openai.readUsage(json) };
}

/** Reads a rerank answer as FailoverInput.read: every index must name one of the request's `documents`. */
export function rerankReader(documents: number): (upstream: Response) => Promise<RerankAnswer> {
	return async (upstream) => {
		const answer = readRerankAnswer(jsonObject(await textOf(upstream), false), documents);
		if (!answer) throw new UnreadableAnswer("it is not a ranking of the documents sent");
		return answer;
	};
}
