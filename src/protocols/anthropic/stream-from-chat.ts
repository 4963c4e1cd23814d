import { anthropicErrorType } from "../../errors/render";
import type { ChatUsage, FinishReason } from "../ir";
import { type ChatChunkIn, type ChatDeltaIn, chatChunkSchema, type ToolCallDeltaIn } from "../openai/stream-chunk";
import { type SseMapper, sse } from "../sse";
import { parseEvent } from "../stream-json";
import { messageId } from "./response";
import { anthropicUsage, stopFor } from "./usage";

type Open = { index: number; kind: "text" | "thinking" } | { index: number; kind: "tool"; call: number };

const ev = (type: string, body: object) => sse({ type, ...body }, type);

const EMPTY_BLOCK = { text: { type: "text", text: "" }, thinking: { type: "thinking", thinking: "", signature: "" } } as const;

/** Where a stream passed through stood when it broke: the next block's index, and the text block still open, if any. */
export interface BlocksSoFar {
	next: number;
	openText: number | undefined;
}

/** The content blocks of the answer: opened and closed as the kind of delta changes, numbered in order. */
function contentBlocks(from?: BlocksSoFar) {
	let open: Open | undefined = from?.openText === undefined ? undefined : { index: from.openText, kind: "text" };
	let next = from?.next ?? 0;
	const close = () => {
		if (!open) return "";
		const out = ev("content_block_stop", { index: open.index });
		open = undefined;
		return out;
	};
	const start = (block: Open, contentBlock: object) => {
		const out = close() + ev("content_block_start", { index: block.index, content_block: contentBlock });
		open = block;
		return out;
	};
	const deltaIn = (block: Open, delta: object) => ev("content_block_delta", { index: block.index, delta });
	return {
		close,
		/** A text or thinking delta, in a block of its kind. */
		delta(kind: "text" | "thinking", delta: object) {
			if (open?.kind === kind) return deltaIn(open, delta);
			const block: Open = { index: next++, kind };
			return start(block, EMPTY_BLOCK[kind]) + deltaIn(block, delta);
		},
		/** A thinking signature belongs to the thinking block it follows, if that is still open. */
		signature(signature: string) {
			return open?.kind === "thinking" ? deltaIn(open, { type: "signature_delta", signature }) : "";
		},
		/** OpenAI names a call once, in its first delta; Anthropic wants a block per call. */
		toolCall(call: ToolCallDeltaIn) {
			let out = "";
			let block = open;
			if (!(block?.kind === "tool" && block.call === call.index)) {
				block = { index: next++, kind: "tool", call: call.index };
				out += start(block, { type: "tool_use", id: call.id ?? `toolu_${call.index}`, name: call.function?.name ?? "", input: {} });
			}
			const args = call.function?.arguments;
			return args ? out + deltaIn(block, { type: "input_json_delta", partial_json: args }) : out;
		},
	};
}

function deltaEvents(blocks: ReturnType<typeof contentBlocks>, d: ChatDeltaIn): string {
	let out = "";
	if (d.reasoning_content) out += blocks.delta("thinking", { type: "thinking_delta", thinking: d.reasoning_content });
	if (d.reasoning_signature) out += blocks.signature(d.reasoning_signature);
	if (d.content) out += blocks.delta("text", { type: "text_delta", text: d.content });
	for (const call of d.tool_calls ?? []) out += blocks.toolCall(call);
	return out;
}

/** Anthropic announces the input tokens here; the upstream's count comes at the end, so this is the estimate. */
function messageStart(id: string, model: string, inputTokens: number): string {
	const message = {
		id: messageId(id),
		type: "message",
		role: "assistant",
		model,
		content: [],
		stop_reason: null,
		stop_sequence: null,
		usage: { ...anthropicUsage(null), input_tokens: inputTokens },
	};
	return ev("message_start", { message });
}

function errorEvent(error: NonNullable<ChatChunkIn["error"]>): string {
	const message = typeof error.message === "string" ? error.message : "The upstream reported an error mid-stream";
	return ev("error", { error: { type: anthropicErrorType(502), message } });
}

/**
 * OpenAI chunks → Anthropic's stream: message_start, then content blocks opened and closed as the kind of delta
 * changes (thinking, text, each tool call), text and argument deltas sent as they arrive, and message_delta with
 * the stop reason and usage before message_stop. OpenAI sends usage last: message_start carries the estimate of the
 * input tokens (Anthropic always fills it, and clients read it there), message_delta the upstream's real counts.
 * With `from`, the chunks continue a message the client is already reading, from the blocks it has.
 */
export function streamFromChat(model: string, promptTokens?: () => number, from?: BlocksSoFar): SseMapper {
	const blocks = contentBlocks(from);
	// Continuing a stream the client already has (src/relay/continuation.ts): its message has started.
	let started = from !== undefined;
	let done = false;
	let finish: FinishReason | null = null;
	let usage: ChatUsage | null = null;

	const finishUp = () => {
		done = true;
		const delta = { stop_reason: stopFor[finish ?? "stop"], stop_sequence: null };
		return `${blocks.close()}${ev("message_delta", { delta, usage: anthropicUsage(usage) })}${ev("message_stop", {})}`;
	};

	const read = (chunk: ChatChunkIn) => {
		if (chunk.error) {
			done = true;
			return errorEvent(chunk.error);
		}
		let out = started ? "" : messageStart(chunk.id ?? "gateway", model, promptTokens?.() ?? 0);
		started = true;
		if (chunk.usage) usage = chunk.usage;
		for (const choice of chunk.choices ?? []) {
			out += deltaEvents(blocks, choice.delta ?? {});
			if (choice.finish_reason) finish = choice.finish_reason;
		}
		return out;
	};

	return {
		map({ data }) {
			if (done) return "";
			if (data === "[DONE]") return started ? finishUp() : "";
			const chunk = parseEvent(chatChunkSchema, data);
			return chunk ? read(chunk) : "";
		},
		// A stream that ended on a finish reason without [DONE] (some OpenAI-compatible servers) still ends properly.
		end: () => (started && !done && finish ? finishUp() : ""),
	};
}
