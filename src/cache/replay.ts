import type { ChatChunk, ChatResponse, ChatUsage } from "../protocols/ir";
import { sse } from "../protocols/sse";

/** Text goes out in pieces of about this many characters, cut after whitespace: a stream a client renders as it goes. */
const PIECE_CHARS = 48;

function pieces(text: string): string[] {
	const out: string[] = [];
	let piece = "";
	for (const word of text.match(/\s*\S+\s*/gu) ?? [text]) {
		piece += word;
		if (piece.length >= PIECE_CHARS) {
			out.push(piece);
			piece = "";
		}
	}
	if (piece) out.push(piece);
	return out;
}

/**
 * A stored answer as the chat chunk events a channel would have streamed: per choice the role, its reasoning and
 * text in pieces, its tool calls, its finish; then the usage chunk when the client gets one, and `[DONE]`. The data of
 * each event.
 */
export function chunkEvents(answer: ChatResponse, usage: ChatUsage | undefined): string[] {
	const { id, created, model } = answer;
	const chunk = (index: number, delta: ChatChunk["choices"][number]["delta"], finish: ChatChunk["choices"][number]["finish_reason"] = null) =>
		JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index, delta, finish_reason: finish }] } satisfies ChatChunk);
	const events: string[] = [];
	for (const { index, message, finish_reason } of answer.choices) {
		events.push(chunk(index, { role: "assistant", content: "" }));
		for (const piece of pieces(message.reasoning_content ?? "")) events.push(chunk(index, { reasoning_content: piece }));
		if (message.reasoning_signature) events.push(chunk(index, { reasoning_signature: message.reasoning_signature }));
		for (const piece of pieces(message.content ?? "")) events.push(chunk(index, { content: piece }));
		(message.tool_calls ?? []).forEach((call, i) => {
			events.push(chunk(index, { tool_calls: [{ index: i, id: call.id, type: "function", function: call.function }] }));
		});
		events.push(chunk(index, {}, finish_reason ?? "stop"));
	}
	if (usage) events.push(JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage } satisfies ChatChunk));
	events.push("[DONE]");
	return events;
}

/** Events as an SSE byte stream, one chunk per event: written at once, since the whole answer is at hand. */
export function eventStream(events: readonly string[]): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	return new ReadableStream({
		start(controller) {
			for (const data of events) controller.enqueue(encoder.encode(sse(data)));
			controller.close();
		},
	});
}
