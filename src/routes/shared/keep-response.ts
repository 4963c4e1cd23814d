import type { Context } from "hono";
import { z } from "zod";
import type { StoredItem } from "../../conversations/items";
import { saveWrite } from "../../conversations/response-writes";
import type { ResponseWrite } from "../../conversations/responses";
import type { ConversationRow } from "../../conversations/store";
import type { AppEnv } from "../../env";
import type { FileSearch } from "../../protocols/file-search";

/** What a stateful Responses call keeps once it is answered. */
export interface Keeping {
	ownerId: number;
	/** `store` (OpenAI's default true): the response is kept for GET, `previous_response_id` and `input_items`. */
	store: boolean;
	previousResponseId: string | null;
	conversation: ConversationRow | undefined;
	/** The request's own input items, with the ids they are kept under. */
	input: StoredItem[];
	search: FileSearch | undefined;
	startedAt: number;
	/** When a kept response expires (RESPONSE_RETENTION_DAYS); null: never. */
	expiresAt: number | null;
}

const outputItem = z.looseObject({ type: z.string(), id: z.string(), role: z.string().optional() });
const finished = z.looseObject({
	id: z.string(),
	model: z.string(),
	status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
	output: z.array(z.unknown()),
	usage: z
		.looseObject({
			input_tokens: z.number(),
			output_tokens: z.number(),
			input_tokens_details: z.looseObject({ cached_tokens: z.number(), cache_write_tokens: z.number().optional() }).optional(),
		})
		.optional(),
});

const terminalEvent = z.object({ response: z.unknown() });
const TERMINAL = ["response.completed", "response.incomplete", "response.failed"];
const KEPT_TYPES = new Set(["message", "function_call", "function_call_output", "reasoning"]);

/** The output items a conversation keeps: a file search's call is kept as the turn's sources instead. */
function outputItems(output: unknown[]): StoredItem[] {
	return output.flatMap((raw) => {
		const o = outputItem.safeParse(raw);
		if (!o.success || !KEPT_TYPES.has(o.data.type)) return [];
		const item = o.data;
		return [{ id: item.id, type: item.type as StoredItem["type"], role: item.role ?? null, item }];
	});
}

/** A file search's hits as the turn's sources, in Dify's retriever_resources shape. */
function sourcesOf(search: FileSearch | undefined): Record<string, unknown>[] {
	return (search?.hits ?? []).map((h, i) => ({
		position: i + 1,
		document_id: h.file_id,
		document_name: h.filename,
		score: h.score,
		content: h.text,
	}));
}

function writeOf(c: Context<AppEnv>, k: Keeping, raw: unknown): ResponseWrite | undefined {
	const parsed = finished.safeParse(raw);
	if (!parsed.success) return undefined;
	const r = parsed.data;
	const answered = r.status === "completed" || r.status === "incomplete";
	const usage = r.usage;
	return {
		response: k.store
			? {
					id: r.id,
					ownerId: k.ownerId,
					previousResponseId: k.previousResponseId,
					conversationId: k.conversation?.id ?? null,
					input: k.input.map((i) => i.item),
					response: r,
					expiresAt: k.expiresAt,
				}
			: undefined,
		// A failed turn adds nothing to its conversation: the client sends its input again.
		turn:
			k.conversation && answered
				? {
						id: r.id,
						conversationId: k.conversation.id,
						ownerId: k.ownerId,
						model: r.model,
						status: r.status === "completed" ? "completed" : "incomplete",
						inputTokens: usage?.input_tokens ?? 0,
						outputTokens: usage?.output_tokens ?? 0,
						costNusd: usage
							? c.get("meter").costOf({
									promptTokens: usage.input_tokens,
									completionTokens: usage.output_tokens,
									cachedTokens: usage.input_tokens_details?.cached_tokens ?? 0,
									cacheWriteTokens: usage.input_tokens_details?.cache_write_tokens ?? 0,
								})
							: 0,
						latencyMs: Math.max(0, Date.now() - k.startedAt),
						sources: sourcesOf(k.search),
						items: [...k.input, ...outputItems(r.output)],
					}
				: undefined,
	};
}

async function keep(c: Context<AppEnv>, k: Keeping, raw: unknown): Promise<void> {
	const w = writeOf(c, k, raw);
	if (w) await saveWrite(c.env, w);
}

/** The `data:` of one SSE event block, parsed; undefined when it has none or it is not JSON. */
function dataOf(block: string): unknown {
	const line = block.split("\n").find((l) => l.startsWith("data:"));
	if (line === undefined) return undefined;
	try {
		return JSON.parse(line.slice(5).trim());
	} catch {
		return undefined;
	}
}

/**
 * The stream passed through event by event as it comes, except its last event (response.completed, .incomplete or
 * .failed), which goes out once the response is kept: a client that sends its follow-up the moment the stream
 * ends finds it (read-your-writes), and the first byte never waits.
 */
export function keptStream(keepLast: (response: unknown) => Promise<void>): TransformStream<Uint8Array, Uint8Array> {
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	let pending = "";
	return new TransformStream({
		async transform(chunk, controller) {
			pending += decoder.decode(chunk, { stream: true });
			let end = pending.indexOf("\n\n");
			while (end !== -1) {
				const block = pending.slice(0, end + 2);
				pending = pending.slice(end + 2);
				if (TERMINAL.some((t) => block.startsWith(`event: ${t}\n`))) await keepLast(terminalEvent.safeParse(dataOf(block)).data?.response);
				controller.enqueue(encoder.encode(block));
				end = pending.indexOf("\n\n");
			}
		},
		flush(controller) {
			if (pending) controller.enqueue(encoder.encode(pending));
		},
	});
}

/**
 * A JSON answer's bytes, all but the last at once and the last once `written` settles: the client cannot read the
 * answer before it is kept (read-your-writes), but neither its first byte nor its transfer waits for the write.
 */
export function keptJson(bytes: Uint8Array, written: Promise<void>): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		start(controller) {
			if (bytes.length > 1) controller.enqueue(bytes.subarray(0, -1));
		},
		async pull(controller) {
			await written;
			controller.enqueue(bytes.subarray(-1));
			controller.close();
		},
	});
}

/** Keeps a stateful call's response (and its conversation's turn) before its end reaches the client. */
export async function keepResponse(c: Context<AppEnv>, k: Keeping, res: Response): Promise<Response> {
	if (!res.ok || res.body === null) return res;
	if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
		return new Response(res.body.pipeThrough(keptStream((raw) => keep(c, k, raw))), res);
	}
	const text = await res.text();
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		// Not a Response object (cannot happen for the gateway's own rendering): nothing to keep, the answer stands.
		return new Response(text, res);
	}
	const w = writeOf(c, k, raw);
	if (!w) return new Response(text, res);
	// saveWrite never throws; it runs to its end even if the client goes away.
	const written = saveWrite(c.env, w);
	c.executionCtx.waitUntil(written);
	const headers = new Headers(res.headers);
	headers.delete("content-length");
	return new Response(keptJson(new TextEncoder().encode(text), written), { status: res.status, headers });
}
