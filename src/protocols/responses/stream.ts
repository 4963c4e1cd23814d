import type { ChatUsage, FinishReason } from "../ir";
import { type ChatChunkIn, chatChunkSchema } from "../openai/stream-chunk";
import { type SseMapper, sse } from "../sse";
import { parseEvent } from "../stream-json";
import { itemStatusOf, outcomeOf, type ResponseEnd, type ResponseHead, responseObject } from "./response";
import { OutputItems } from "./stream-items";
import type { ResponseStatus } from "./types";

const textOr = (value: unknown, fallback: string) => (typeof value === "string" ? value : fallback);

/** The Responses events of one stream: numbered in order, and collected until the mapper takes them. */
class ResponseEvents {
	private sequence = 0;
	private out = "";
	readonly items: OutputItems;

	constructor(private readonly head: ResponseHead) {
		this.items = new OutputItems((type, body) => this.emit(type, body), head.fileSearch);
	}

	emit(type: string, body: object): void {
		this.out += sse({ type, ...body, sequence_number: this.sequence++ }, type);
	}

	/** An event carrying the whole response as it stands. */
	lifecycle(type: string, status: ResponseStatus, end?: ResponseEnd): void {
		this.emit(type, { response: responseObject(this.head, status, this.items.output, end) });
	}

	take(): string {
		const text = this.out;
		this.out = "";
		return text;
	}
}

/**
 * OpenAI chunks → the Responses event stream: response.created and response.in_progress, then the output items'
 * events as their deltas arrive (never held back), then response.completed (or response.incomplete) with the
 * whole response. Usage comes last in a chunk stream, so the end waits for `[DONE]` (or the end of the input).
 * An upstream error becomes response.failed and then an `error` event, which the openai SDK raises.
 */
export function streamFromChat(head: ResponseHead): SseMapper {
	const events = new ResponseEvents(head);
	const { items } = events;
	let started = false;
	let done = false;
	let finish: FinishReason | null = null;
	let usage: ChatUsage | undefined;

	const complete = () => {
		done = true;
		const { status, reason } = outcomeOf(finish);
		items.close(itemStatusOf(finish));
		events.lifecycle(status === "completed" ? "response.completed" : "response.incomplete", status, { usage, reason });
	};

	const fail = (message: string, code: string) => {
		done = true;
		items.interrupt();
		events.lifecycle("response.failed", "failed", { usage, error: message });
		events.emit("error", { code, message, param: null });
	};

	const read = (chunk: ChatChunkIn) => {
		if (chunk.error) return fail(textOr(chunk.error.message, "The upstream reported an error mid-stream"), textOr(chunk.error.code, "server_error"));
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

	return {
		map({ data }) {
			if (done) return "";
			if (!started) {
				started = true;
				events.lifecycle("response.created", "in_progress");
				events.lifecycle("response.in_progress", "in_progress");
				items.searched();
			}
			const chunk = data === "[DONE]" ? undefined : parseEvent(chatChunkSchema, data);
			if (data === "[DONE]") complete();
			else if (chunk) read(chunk);
			return events.take();
		},
		end() {
			// Some OpenAI-compatible servers end on a finish reason without `[DONE]`; any other unfinished end came too soon.
			if (started && !done) {
				if (finish) complete();
				else fail("The upstream ended the stream early; the response is incomplete", "server_error");
			}
			return events.take();
		},
	};
}
