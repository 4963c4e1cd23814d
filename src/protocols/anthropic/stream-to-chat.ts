import type { ChatChunk, ChatDelta, ChatUsage, FinishReason } from "../ir";
import { type SseEvent, type SseMapper, sse } from "../sse";
import { isJson, parseEvent, UNREADABLE_EVENT } from "../stream-json";
import { type AnthropicEvent, type AnthropicStreamUsage, anthropicEventSchema, mergeUsage } from "./stream-events";
import { chatUsage, finishFor } from "./usage";

type EventOf<T extends AnthropicEvent["type"]> = Extract<AnthropicEvent, { type: T }>;

/** Anthropic's stream → OpenAI chunks, event by event: text and tool-argument deltas go out as they arrive. */
class ChatFromAnthropic implements SseMapper {
	private id = "msg";
	private readonly created = Math.floor(Date.now() / 1000);
	private readonly usage: AnthropicStreamUsage = {};
	private finish: FinishReason | null = null;
	/** Anthropic content-block index → OpenAI tool-call index. */
	private readonly toolIndex = new Map<number, number>();
	private ended = false;

	constructor(private readonly model: string) {}

	map({ data }: SseEvent): string {
		if (this.ended) return "";
		const e = parseEvent(anthropicEventSchema, data);
		if (e) return this.read(e);
		// An event of a kind the gateway does not map is skipped; one that is not JSON ends the stream as failed.
		return isJson(data) ? "" : this.error({ type: "error", error: { message: UNREADABLE_EVENT } });
	}

	end(): string {
		return "";
	}

	private read(e: AnthropicEvent): string {
		switch (e.type) {
			case "message_start":
				this.id = e.message.id;
				mergeUsage(this.usage, e.message.usage);
				return this.chunk({ role: "assistant", content: "" });
			case "content_block_start":
				return this.blockStart(e);
			case "content_block_delta":
				return this.blockDelta(e);
			case "message_delta":
				return this.messageDelta(e);
			case "message_stop":
				return this.messageStop();
			case "error":
				return this.error(e);
			default:
				return "";
		}
	}

	private chunk(delta: ChatDelta, finishReason: FinishReason | null = null, usage?: ChatUsage): string {
		const { id, created, model } = this;
		const choices = usage ? [] : [{ index: 0, delta, finish_reason: finishReason }];
		return sse({ id, object: "chat.completion.chunk", created, model, choices, ...(usage ? { usage } : {}) } satisfies ChatChunk);
	}

	private blockStart(e: EventOf<"content_block_start">): string {
		const b = e.content_block;
		if (b.type === "text") return b.text ? this.chunk({ content: b.text }) : "";
		const index = this.toolIndex.size;
		this.toolIndex.set(e.index, index);
		return this.chunk({ tool_calls: [{ index, id: b.id, type: "function", function: { name: b.name, arguments: "" } }] });
	}

	private blockDelta(e: EventOf<"content_block_delta">): string {
		const d = e.delta;
		if (d.type === "text_delta") return this.chunk({ content: d.text });
		if (d.type === "thinking_delta") return this.chunk({ reasoning_content: d.thinking });
		if (d.type === "signature_delta") return this.chunk({ reasoning_signature: d.signature });
		const index = this.toolIndex.get(e.index) ?? 0;
		return d.partial_json ? this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }) : "";
	}

	private messageDelta(e: EventOf<"message_delta">): string {
		mergeUsage(this.usage, e.usage);
		if (e.delta.stop_reason) this.finish = finishFor[e.delta.stop_reason];
		return this.finish ? this.chunk({}, this.finish) : "";
	}

	private messageStop(): string {
		this.ended = true;
		return `${this.chunk({}, null, chatUsage(this.usage))}data: [DONE]\n\n`;
	}

	private error(e: EventOf<"error">): string {
		this.ended = true;
		return sse({ error: { message: e.error.message ?? "Upstream error", type: e.error.type ?? "api_error", code: "upstream_error" } });
	}
}

export const streamToChat = (model: string): SseMapper => new ChatFromAnthropic(model);
