import { citationsOf, type FileSearch } from "../file-search";
import type { ChatResponse, ChatUsage, FinishReason } from "../ir";
import type { FileSearchCallItem, ItemStatus, OutputItem, OutputText, ResponseObject, ResponseSettings, ResponseStatus, ResponseUsage } from "./types";

/** An id in OpenAI's style: a type prefix and random hex. */
export const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;

const now = () => Math.floor(Date.now() / 1000);

/** What every Response object of one call shares. */
export interface ResponseHead {
	id: string;
	createdAt: number;
	model: string;
	settings: ResponseSettings;
	/** The file search done for this response, if the request asked for one. */
	fileSearch?: FileSearch | undefined;
}

export function responseHead(model: string, settings: ResponseSettings, fileSearch?: FileSearch): ResponseHead {
	return { id: newId("resp"), createdAt: now(), model, settings, fileSearch };
}

/** The `file_search_call` output item of a search. */
export function fileSearchItem(search: FileSearch, status: FileSearchCallItem["status"]): FileSearchCallItem {
	return { type: "file_search_call", id: search.id, status, queries: search.queries, results: search.includeResults ? search.hits : null };
}

export function usageOut(u: ChatUsage): ResponseUsage {
	return {
		input_tokens: u.prompt_tokens,
		input_tokens_details: {
			cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0,
			cache_write_tokens: u.prompt_tokens_details?.cache_creation_tokens ?? 0,
		},
		output_tokens: u.completion_tokens,
		output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
		total_tokens: u.total_tokens || u.prompt_tokens + u.completion_tokens,
	};
}

/** A response cut short by the token limit or a content filter is `incomplete`, with the reason. */
export function outcomeOf(finish: FinishReason | null | undefined): {
	status: "completed" | "incomplete";
	reason: "max_output_tokens" | "content_filter" | undefined;
} {
	if (finish === "length") return { status: "incomplete", reason: "max_output_tokens" };
	if (finish === "content_filter") return { status: "incomplete", reason: "content_filter" };
	return { status: "completed", reason: undefined };
}

export const itemStatusOf = (finish: FinishReason | null | undefined): ItemStatus => outcomeOf(finish).status;

export const outputText = (text: string, search?: FileSearch): OutputText => ({
	type: "output_text",
	text,
	annotations: search ? citationsOf(text, search) : [],
	logprobs: [],
});

export interface ResponseEnd {
	usage?: ChatUsage | undefined;
	reason?: "max_output_tokens" | "content_filter" | undefined;
	error?: string | undefined;
}

/** The Response object at some point of its life; `output_text` is derived from the output, as the SDK does it. */
export function responseObject(head: ResponseHead, status: ResponseStatus, output: OutputItem[], end: ResponseEnd = {}): ResponseObject {
	let text = "";
	for (const item of output) if (item.type === "message") for (const part of item.content) text += part.text;
	return {
		id: head.id,
		object: "response",
		created_at: head.createdAt,
		...(status === "completed" ? { completed_at: now() } : {}),
		status,
		error: end.error === undefined ? null : { code: "server_error", message: end.error },
		incomplete_details: end.reason ? { reason: end.reason } : null,
		model: head.model,
		output,
		output_text: text,
		...head.settings,
		...(end.usage ? { usage: usageOut(end.usage) } : {}),
		access_programs: null,
		background: false,
	};
}

/** A chat completion → a Response: reasoning, then the message, then the function calls, as OpenAI orders them. */
export function fromChat(res: ChatResponse, head: ResponseHead): ResponseObject {
	const choice = res.choices[0];
	const { status, reason } = outcomeOf(choice?.finish_reason);
	const output: OutputItem[] = head.fileSearch ? [fileSearchItem(head.fileSearch, "completed")] : [];
	const message = choice?.message;
	if (message?.reasoning_content) {
		output.push({
			type: "reasoning",
			id: newId("rs"),
			summary: [{ type: "summary_text", text: message.reasoning_content }],
			...(message.reasoning_signature ? { encrypted_content: message.reasoning_signature } : {}),
		});
	}
	if (message?.content) {
		output.push({ type: "message", id: newId("msg"), status, role: "assistant", content: [outputText(message.content, head.fileSearch)] });
	}
	for (const call of message?.tool_calls ?? []) {
		output.push({ type: "function_call", id: newId("fc"), call_id: call.id, name: call.function.name, arguments: call.function.arguments, status });
	}
	return responseObject(head, status, output, { usage: res.usage, reason });
}
