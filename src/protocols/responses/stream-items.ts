import type { ChatDelta } from "../ir";
import { newId, outputText } from "./response";
import type { FunctionCallItem, ItemStatus, MessageItem, OutputItem, ReasoningItem } from "./types";

export type Emit = (type: string, body: object) => void;

type ToolCallDelta = NonNullable<ChatDelta["tool_calls"]>[number];

/**
 * The output items of a streamed response, built from deltas: one item per kind of delta (reasoning, text, each
 * tool call), opened by its first delta and closed when another kind starts or the answer finishes, with the
 * Responses events for each step emitted as it happens.
 */
export function outputItems(emit: Emit) {
	const output: OutputItem[] = [];
	const calls = new Map<number, FunctionCallItem>();
	let open: OutputItem | undefined;
	const at = (item: OutputItem) => ({ item_id: item.id, output_index: output.indexOf(item) });

	const close = (status: ItemStatus) => {
		const item = open;
		if (!item) return;
		open = undefined;
		if (item.type === "message") {
			const part = item.content[0] ?? outputText("");
			emit("response.output_text.done", { ...at(item), content_index: 0, text: part.text, logprobs: [] });
			emit("response.content_part.done", { ...at(item), content_index: 0, part });
			item.status = status;
		} else if (item.type === "reasoning") {
			const part = item.summary[0] ?? { type: "summary_text", text: "" };
			emit("response.reasoning_summary_text.done", { ...at(item), summary_index: 0, text: part.text });
			emit("response.reasoning_summary_part.done", { ...at(item), summary_index: 0, part });
		} else {
			emit("response.function_call_arguments.done", { ...at(item), arguments: item.arguments });
			item.status = status;
		}
		emit("response.output_item.done", { output_index: output.indexOf(item), item });
	};

	const add = <T extends OutputItem>(item: T): T => {
		close("completed");
		output.push(item);
		open = item;
		emit("response.output_item.added", { output_index: output.length - 1, item });
		return item;
	};

	const reasoning = (delta: string) => {
		let item = open?.type === "reasoning" ? open : undefined;
		if (!item) {
			item = add<ReasoningItem>({ type: "reasoning", id: newId("rs"), summary: [] });
			emit("response.reasoning_summary_part.added", { ...at(item), summary_index: 0, part: { type: "summary_text", text: "" } });
			item.summary.push({ type: "summary_text", text: "" });
		}
		const part = item.summary[0];
		if (part) part.text += delta;
		emit("response.reasoning_summary_text.delta", { ...at(item), summary_index: 0, delta });
	};

	const text = (delta: string) => {
		let item = open?.type === "message" ? open : undefined;
		if (!item) {
			item = add<MessageItem>({ type: "message", id: newId("msg"), status: "in_progress", role: "assistant", content: [] });
			emit("response.content_part.added", { ...at(item), content_index: 0, part: outputText("") });
			item.content.push(outputText(""));
		}
		const part = item.content[0];
		if (part) part.text += delta;
		emit("response.output_text.delta", { ...at(item), content_index: 0, delta, logprobs: [] });
	};

	const toolCall = (call: ToolCallDelta) => {
		let item = calls.get(call.index);
		if (!item) {
			item = add<FunctionCallItem>({
				type: "function_call",
				id: newId("fc"),
				call_id: call.id ?? newId("call"),
				name: call.function?.name ?? "",
				arguments: "",
				status: "in_progress",
			});
			calls.set(call.index, item);
		}
		const args = call.function?.arguments;
		if (!args) return;
		item.arguments += args;
		// A call's arguments arrive before the next call starts; pieces that come later still reach the final response.
		if (open === item) emit("response.function_call_arguments.delta", { ...at(item), delta: args });
	};

	/** A reasoning signature is no event of its own: the reasoning item carries it as `encrypted_content`. */
	const signature = (value: string) => {
		const item = output.findLast((i) => i.type === "reasoning");
		if (item) item.encrypted_content = (item.encrypted_content ?? "") + value;
	};

	return {
		output,
		delta(d: ChatDelta) {
			if (typeof d.reasoning_content === "string" && d.reasoning_content) reasoning(d.reasoning_content);
			if (typeof d.reasoning_signature === "string" && d.reasoning_signature) signature(d.reasoning_signature);
			if (typeof d.content === "string" && d.content) text(d.content);
			for (const call of d.tool_calls ?? []) toolCall(call);
		},
		close,
		/** The item being written when the stream broke off stays open, marked incomplete. */
		interrupt() {
			if (open && open.type !== "reasoning") open.status = "incomplete";
		},
	};
}
