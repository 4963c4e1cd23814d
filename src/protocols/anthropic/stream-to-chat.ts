import type { ChatChunk, ChatDelta, FinishReason } from "../ir";
import { type SseMapper, sse } from "../sse";
import { parseEvent } from "../stream-json";
import { type AnthropicEvent, type AnthropicStreamUsage, anthropicEventSchema, mergeUsage } from "./stream-events";
import { chatUsage, finishFor } from "./usage";

type EventOf<T extends AnthropicEvent["type"]> = Extract<AnthropicEvent, { type: T }>;

/** Anthropic's stream → OpenAI chunks, event by event: text and tool-argument deltas go out as they arrive. */
export function streamToChat(model: string): SseMapper {
	let id = "msg";
	const created = Math.floor(Date.now() / 1000);
	const usage: AnthropicStreamUsage = {};
	let finish: FinishReason | null = null;
	/** Anthropic content-block index → OpenAI tool-call index. */
	const toolIndex = new Map<number, number>();
	let ended = false;

	const chunk = (delta: ChatDelta, finishReason: FinishReason | null = null) => {
		const c: ChatChunk = { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
		return sse(c);
	};

	const blockStart = (e: EventOf<"content_block_start">) => {
		const b = e.content_block;
		if (b.type === "text") return b.text ? chunk({ content: b.text }) : "";
		const index = toolIndex.size;
		toolIndex.set(e.index, index);
		return chunk({ tool_calls: [{ index, id: b.id, type: "function", function: { name: b.name, arguments: "" } }] });
	};

	const blockDelta = (e: EventOf<"content_block_delta">) => {
		const d = e.delta;
		if (d.type === "text_delta") return chunk({ content: d.text });
		if (d.type === "thinking_delta") return chunk({ reasoning_content: d.thinking });
		if (d.type === "signature_delta") return chunk({ reasoning_signature: d.signature });
		const index = toolIndex.get(e.index) ?? 0;
		return d.partial_json ? chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }) : "";
	};

	const messageDelta = (e: EventOf<"message_delta">) => {
		mergeUsage(usage, e.usage);
		if (e.delta.stop_reason) finish = finishFor[e.delta.stop_reason];
		return finish ? chunk({}, finish) : "";
	};

	const messageStop = () => {
		ended = true;
		const last: ChatChunk = { id, object: "chat.completion.chunk", created, model, choices: [], usage: chatUsage(usage) };
		return `${sse(last)}data: [DONE]\n\n`;
	};

	const error = (e: EventOf<"error">) => {
		ended = true;
		return sse({ error: { message: e.error.message ?? "Upstream error", type: e.error.type ?? "api_error", code: "upstream_error" } });
	};

	const read = (e: AnthropicEvent): string => {
		switch (e.type) {
			case "message_start":
				id = e.message.id;
				mergeUsage(usage, e.message.usage);
				return chunk({ role: "assistant", content: "" });
			case "content_block_start":
				return blockStart(e);
			case "content_block_delta":
				return blockDelta(e);
			case "message_delta":
				return messageDelta(e);
			case "message_stop":
				return messageStop();
			case "error":
				return error(e);
			default:
				return "";
		}
	};

	return {
		map({ data }) {
			if (ended) return "";
			const e = parseEvent(anthropicEventSchema, data);
			return e ? read(e) : "";
		},
		end: () => "",
	};
}
