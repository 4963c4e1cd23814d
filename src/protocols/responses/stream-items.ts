import { citationsOf, type FileSearch } from "../file-search";
import type { ChatDeltaIn, ToolCallDeltaIn } from "../openai/stream-chunk";
import { fileSearchItem, newId, outputText } from "./response";
import type { FunctionCallItem, ItemStatus, MessageItem, OutputItem, ReasoningItem } from "./types";

export type Emit = (type: string, body: object) => void;

/** The items an answer writes delta by delta (a file search is done before it starts). */
type WrittenItem = MessageItem | FunctionCallItem | ReasoningItem;

/**
 * The output items of a streamed response, built from deltas: one item per kind of delta (reasoning, text, each
 * tool call), opened by its first delta and closed when another kind starts or the answer finishes, with the
 * Responses events for each step emitted as it happens.
 */
export class OutputItems {
	readonly output: OutputItem[] = [];
	private readonly calls = new Map<number, FunctionCallItem>();
	private open: WrittenItem | undefined;

	constructor(
		private readonly emit: Emit,
		private readonly fileSearch?: FileSearch,
	) {}

	/**
	 * The file search, first of the output: it was done before the model was asked, so its events (in progress,
	 * searching, completed) all come at once, before the answer's.
	 */
	searched(): void {
		if (!this.fileSearch) return;
		const item = fileSearchItem(this.fileSearch, "in_progress");
		this.output.push(item);
		const at = { item_id: item.id, output_index: this.output.length - 1 };
		this.emit("response.output_item.added", { output_index: at.output_index, item: { ...item } });
		this.emit("response.file_search_call.in_progress", at);
		this.emit("response.file_search_call.searching", at);
		item.status = "completed";
		this.emit("response.file_search_call.completed", at);
		this.emit("response.output_item.done", { output_index: at.output_index, item });
	}

	delta(d: ChatDeltaIn): void {
		if (d.reasoning_content) this.reasoning(d.reasoning_content);
		if (d.reasoning_signature) this.signature(d.reasoning_signature);
		if (d.content) this.text(d.content);
		for (const call of d.tool_calls ?? []) this.toolCall(call);
	}

	/** Ends the item being written, with the events that close it. */
	close(status: ItemStatus): void {
		const item = this.open;
		if (!item) return;
		this.open = undefined;
		if (item.type === "message") this.closeMessage(item, status);
		else if (item.type === "reasoning") this.closeReasoning(item);
		else this.closeCall(item, status);
		this.emit("response.output_item.done", { output_index: this.output.indexOf(item), item });
	}

	/** The item being written when the stream broke off stays open, marked incomplete. */
	interrupt(): void {
		if (this.open && this.open.type !== "reasoning") this.open.status = "incomplete";
	}

	private at(item: OutputItem) {
		return { item_id: item.id, output_index: this.output.indexOf(item) };
	}

	private closeMessage(item: MessageItem, status: ItemStatus) {
		const part = item.content[0] ?? outputText("");
		if (this.fileSearch) {
			part.annotations = citationsOf(part.text, this.fileSearch);
			part.annotations.forEach((annotation, annotation_index) => {
				this.emit("response.output_text.annotation.added", { ...this.at(item), content_index: 0, annotation_index, annotation });
			});
		}
		this.emit("response.output_text.done", { ...this.at(item), content_index: 0, text: part.text, logprobs: [] });
		this.emit("response.content_part.done", { ...this.at(item), content_index: 0, part });
		item.status = status;
	}

	private closeReasoning(item: ReasoningItem) {
		const part = item.summary[0] ?? { type: "summary_text", text: "" };
		this.emit("response.reasoning_summary_text.done", { ...this.at(item), summary_index: 0, text: part.text });
		this.emit("response.reasoning_summary_part.done", { ...this.at(item), summary_index: 0, part });
	}

	private closeCall(item: FunctionCallItem, status: ItemStatus) {
		this.emit("response.function_call_arguments.done", { ...this.at(item), arguments: item.arguments });
		item.status = status;
	}

	private add<T extends WrittenItem>(item: T): T {
		this.close("completed");
		this.output.push(item);
		this.open = item;
		this.emit("response.output_item.added", { output_index: this.output.length - 1, item });
		return item;
	}

	private reasoning(delta: string) {
		const item = this.open?.type === "reasoning" ? this.open : this.openReasoning();
		const part = item.summary[0];
		if (part) part.text += delta;
		this.emit("response.reasoning_summary_text.delta", { ...this.at(item), summary_index: 0, delta });
	}

	private openReasoning(): ReasoningItem {
		const item = this.add<ReasoningItem>({ type: "reasoning", id: newId("rs"), summary: [] });
		this.emit("response.reasoning_summary_part.added", { ...this.at(item), summary_index: 0, part: { type: "summary_text", text: "" } });
		item.summary.push({ type: "summary_text", text: "" });
		return item;
	}

	private text(delta: string) {
		const item = this.open?.type === "message" ? this.open : this.openMessage();
		const part = item.content[0];
		if (part) part.text += delta;
		this.emit("response.output_text.delta", { ...this.at(item), content_index: 0, delta, logprobs: [] });
	}

	private openMessage(): MessageItem {
		const item = this.add<MessageItem>({ type: "message", id: newId("msg"), status: "in_progress", role: "assistant", content: [] });
		this.emit("response.content_part.added", { ...this.at(item), content_index: 0, part: outputText("") });
		item.content.push(outputText(""));
		return item;
	}

	private toolCall(call: ToolCallDeltaIn) {
		const item = this.calls.get(call.index) ?? this.openCall(call);
		const args = call.function?.arguments;
		if (!args) return;
		item.arguments += args;
		// A call's arguments arrive before the next call starts; pieces that come later still reach the final response.
		if (this.open === item) this.emit("response.function_call_arguments.delta", { ...this.at(item), delta: args });
	}

	private openCall(call: ToolCallDeltaIn): FunctionCallItem {
		const item = this.add<FunctionCallItem>({
			type: "function_call",
			id: newId("fc"),
			call_id: call.id ?? newId("call"),
			name: call.function?.name ?? "",
			arguments: "",
			status: "in_progress",
		});
		this.calls.set(call.index, item);
		return item;
	}

	/** A reasoning signature is no event of its own: the reasoning item carries it as `encrypted_content`. */
	private signature(value: string) {
		const item = this.output.findLast((i) => i.type === "reasoning");
		if (item) item.encrypted_content = (item.encrypted_content ?? "") + value;
	}
}
