import { anthropicErrorType } from "../../errors/render";
import type { ChatChunk, ChatStreamError, ChatUsage, FinishReason } from "../ir";
import { parseJson, type SseMapper, sse } from "../sse";
import { messageId } from "./response";
import { anthropicUsage, stopFor } from "./usage";

type Open = { index: number; kind: "text" | "thinking" } | { index: number; kind: "tool"; call: number };

/**
 * OpenAI chunks → Anthropic's stream: message_start, then content blocks opened and closed as the kind of delta
 * changes (thinking, text, each tool call), text and argument deltas sent as they arrive, and message_delta with
 * the stop reason and usage before message_stop. OpenAI sends usage last, so input tokens ride in message_delta.
 */
export function streamFromChat(model: string): SseMapper {
	let started = false;
	let done = false;
	let open: Open | undefined;
	let next = 0;
	let finish: FinishReason | null = null;
	let usage: ChatUsage | null = null;
	const ev = (type: string, body: object) => sse({ type, ...body }, type);

	const start = (id: string) => {
		if (started) return "";
		started = true;
		const message = {
			id: messageId(id),
			type: "message",
			role: "assistant",
			model,
			content: [],
			stop_reason: null,
			stop_sequence: null,
			usage: anthropicUsage(null),
		};
		return ev("message_start", { message });
	};
	const close = () => {
		if (!open) return "";
		const out = ev("content_block_stop", { index: open.index });
		open = undefined;
		return out;
	};
	const openBlock = (block: Open, contentBlock: object) => {
		const out = close() + ev("content_block_start", { index: block.index, content_block: contentBlock });
		open = block;
		return out;
	};
	const ensure = (kind: "text" | "thinking") => {
		if (open?.kind === kind) return "";
		return openBlock({ index: next++, kind }, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
	};
	const finishUp = () => {
		done = true;
		const u = anthropicUsage(usage);
		const delta = { stop_reason: stopFor[finish ?? "stop"], stop_sequence: null };
		return `${close()}${ev("message_delta", { delta, usage: u })}${ev("message_stop", {})}`;
	};

	return {
		map({ data }) {
			if (done) return "";
			if (data === "[DONE]") return started ? finishUp() : "";
			const parsed = parseJson(data) as (ChatChunk & Partial<ChatStreamError>) | undefined;
			if (!parsed) return "";
			if (parsed.error) {
				done = true;
				return ev("error", { error: { type: anthropicErrorType(502), message: parsed.error.message } });
			}
			let out = start(parsed.id ?? "gateway");
			if (parsed.usage) usage = parsed.usage;
			for (const choice of parsed.choices ?? []) {
				const d = choice.delta ?? {};
				if (d.reasoning_content)
					out += `${ensure("thinking")}${ev("content_block_delta", { index: open?.index, delta: { type: "thinking_delta", thinking: d.reasoning_content } })}`;
				if (d.reasoning_signature && open?.kind === "thinking") {
					out += ev("content_block_delta", { index: open.index, delta: { type: "signature_delta", signature: d.reasoning_signature } });
				}
				if (d.content) out += `${ensure("text")}${ev("content_block_delta", { index: open?.index, delta: { type: "text_delta", text: d.content } })}`;
				for (const call of d.tool_calls ?? []) {
					// OpenAI names a call once, in its first delta; Anthropic wants a block per call.
					if (!(open?.kind === "tool" && open.call === call.index)) {
						const block = { type: "tool_use", id: call.id ?? `toolu_${call.index}`, name: call.function?.name ?? "", input: {} };
						out += openBlock({ index: next++, kind: "tool", call: call.index }, block);
					}
					const args = call.function?.arguments;
					if (args) out += ev("content_block_delta", { index: open?.index, delta: { type: "input_json_delta", partial_json: args } });
				}
				if (choice.finish_reason) finish = choice.finish_reason;
			}
			return out;
		},
		// A stream that ended on a finish reason without [DONE] (some OpenAI-compatible servers) still ends properly.
		end: () => (started && !done && finish ? finishUp() : ""),
	};
}
