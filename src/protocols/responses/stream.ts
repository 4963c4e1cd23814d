import type { ChatChunk, ChatStreamError, ChatUsage, FinishReason } from "../ir";
import { parseJson, type SseMapper, sse } from "../sse";
import { itemStatusOf, outcomeOf, type ResponseEnd, type ResponseHead, responseObject } from "./response";
import { outputItems } from "./stream-items";
import type { ResponseStatus } from "./types";

type Chunk = Partial<ChatChunk> & Partial<ChatStreamError>;

/**
 * OpenAI chunks → the Responses event stream: response.created and response.in_progress, then the output items'
 * events as their deltas arrive (never held back), then response.completed (or response.incomplete) with the
 * whole response. Usage comes last in a chunk stream, so the end waits for `[DONE]` (or the end of the input).
 * An upstream error becomes response.failed and then an `error` event, which the openai SDK raises.
 */
export function streamFromChat(head: ResponseHead): SseMapper {
	let sequence = 0;
	let started = false;
	let done = false;
	let finish: FinishReason | null = null;
	let usage: ChatUsage | undefined;
	// The SSE text to send for the input event being mapped.
	let out = "";
	const emit = (type: string, body: object) => {
		out += sse({ type, ...body, sequence_number: sequence++ }, type);
	};
	const items = outputItems(emit);
	const lifecycle = (type: string, status: ResponseStatus, end?: ResponseEnd) => emit(type, { response: responseObject(head, status, items.output, end) });

	const complete = () => {
		done = true;
		const { status, reason } = outcomeOf(finish);
		items.close(itemStatusOf(finish));
		lifecycle(status === "completed" ? "response.completed" : "response.incomplete", status, { usage, reason });
	};

	const fail = (message: string, code: string) => {
		done = true;
		items.interrupt();
		lifecycle("response.failed", "failed", { usage, error: message });
		emit("error", { code, message, param: null });
	};

	const read = (data: string) => {
		if (!started) {
			started = true;
			lifecycle("response.created", "in_progress");
			lifecycle("response.in_progress", "in_progress");
		}
		if (data === "[DONE]") return complete();
		const chunk = parseJson(data) as Chunk | null | undefined;
		if (typeof chunk !== "object" || chunk === null) return;
		if (chunk.error) return fail(chunk.error.message, chunk.error.code ?? "server_error");
		if (chunk.usage) usage = chunk.usage;
		// Responses has no `n`: the first choice is the answer.
		const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
		if (!choice) return;
		items.delta(choice.delta ?? {});
		if (choice.finish_reason) {
			finish = choice.finish_reason;
			items.close(itemStatusOf(finish));
		}
	};

	const take = () => {
		const text = out;
		out = "";
		return text;
	};

	return {
		map({ data }) {
			if (!done) read(data);
			return take();
		},
		end() {
			// Some OpenAI-compatible servers end on a finish reason without `[DONE]`; any other unfinished end came too soon.
			if (started && !done) {
				if (finish) complete();
				else fail("The upstream ended the stream early; the response is incomplete", "server_error");
			}
			return take();
		},
	};
}
