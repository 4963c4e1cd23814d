import type { ChatChunk, ChatDelta, ChatUsage, FinishReason } from "../ir";
import { parseJson, type SseMapper, sse } from "../sse";
import type { AnthropicUsage, ContentBlock, StopReason } from "./types";
import { chatUsage, finishFor } from "./usage";

type StreamEvent =
	| { type: "message_start"; message: { id: string; usage?: Partial<AnthropicUsage> } }
	| { type: "content_block_start"; index: number; content_block: ContentBlock }
	| {
			type: "content_block_delta";
			index: number;
			delta:
				| { type: "text_delta"; text: string }
				| { type: "input_json_delta"; partial_json: string }
				| { type: "thinking_delta"; thinking: string }
				| { type: "signature_delta"; signature: string };
	  }
	| { type: "content_block_stop"; index: number }
	| { type: "message_delta"; delta: { stop_reason?: StopReason | null }; usage?: Partial<AnthropicUsage> }
	| { type: "message_stop" }
	| { type: "ping" }
	| { type: "error"; error: { type?: string; message?: string } };

/** Anthropic's stream → OpenAI chunks, event by event: text and tool-argument deltas go out as they arrive. */
export function streamToChat(model: string): SseMapper {
	let id = "msg";
	const created = Math.floor(Date.now() / 1000);
	let usage: Partial<AnthropicUsage> = {};
	let finish: FinishReason | null = null;
	/** Anthropic content-block index → OpenAI tool-call index. */
	const toolIndex = new Map<number, number>();
	let ended = false;
	const chunk = (delta: ChatDelta, finishReason: FinishReason | null = null) => {
		const c: ChatChunk = { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
		return sse(c);
	};
	const usageChunk = (u: ChatUsage) => sse({ id, object: "chat.completion.chunk", created, model, choices: [], usage: u } satisfies ChatChunk);
	return {
		map({ data }) {
			const e = parseJson(data) as StreamEvent | undefined;
			if (!e || ended) return "";
			switch (e.type) {
				case "message_start":
					id = e.message.id;
					usage = { ...e.message.usage };
					return chunk({ role: "assistant", content: "" });
				case "content_block_start": {
					const b = e.content_block;
					if (b.type === "tool_use") {
						const index = toolIndex.size;
						toolIndex.set(e.index, index);
						return chunk({ tool_calls: [{ index, id: b.id, type: "function", function: { name: b.name, arguments: "" } }] });
					}
					if (b.type === "text" && b.text) return chunk({ content: b.text });
					return "";
				}
				case "content_block_delta": {
					const d = e.delta;
					if (d.type === "text_delta") return chunk({ content: d.text });
					if (d.type === "thinking_delta") return chunk({ reasoning_content: d.thinking });
					if (d.type === "signature_delta") return chunk({ reasoning_signature: d.signature });
					if (d.type === "input_json_delta") {
						const index = toolIndex.get(e.index) ?? 0;
						return d.partial_json ? chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }) : "";
					}
					return "";
				}
				case "message_delta":
					// Usage in message_delta is cumulative; fields it leaves out keep their message_start values.
					for (const [k, v] of Object.entries(e.usage ?? {})) if (typeof v === "number") usage[k as keyof AnthropicUsage] = v;
					if (e.delta.stop_reason) finish = finishFor[e.delta.stop_reason];
					return finish ? chunk({}, finish) : "";
				case "message_stop":
					ended = true;
					return `${usageChunk(chatUsage(usage))}data: [DONE]\n\n`;
				case "error":
					ended = true;
					return sse({ error: { message: e.error.message ?? "Upstream error", type: e.error.type ?? "api_error", code: "upstream_error" } });
				default:
					return "";
			}
		},
		end: () => "",
	};
}
