import { z } from "zod";
import type { DifyScope, NewDifyConversation } from "../../conversations/dify-store";
import { type StoredItem, toStoredItem } from "../../conversations/items";
import { saveWrite } from "../../conversations/response-writes";
import { stopLeftElsewhere, trackTurn } from "../../conversations/running-turns";
import type { Turn } from "../../conversations/turns";
import type { ErrorCode } from "../../errors/gateway-error";
import { GatewayError } from "../../errors/gateway-error";
import { knownError } from "../../errors/on-error";
import { difyCode } from "../../errors/render";
import {
	blockingAnswer,
	errorEvent,
	messageEndEvent,
	messageEvent,
	PING_EVENT,
	type RetrieverResource,
	readChunk,
	type TurnIds,
	type TurnMetadata,
} from "../../protocols/dify/events";
import { type BilledTurn, difyUsage } from "../../protocols/dify/usage";
import { sseReader } from "../../protocols/sse";
import type { UsageMeter } from "../../relay/meter";

/** Dify's clients and the proxies between are kept from timing out a slow answer by a ping at least this often. */
const PING_MS = 10_000;
/** How long a streamed turn waits for the model before it begins the stream with a ping (well within PING_MS). */
const COMMIT_MS = 5_000;
/** How often a streamed answer looks whether it was asked to stop. */
const STOP_POLL_MS = 50;
/** Every this many polls (a second), the data center's cache is asked for a stop left by another isolate. */
const CACHE_POLL_TICKS = 20;
/** How long a finished answer waits for its usage record before reporting what it knows; the record is normally there already. */
const RECORD_WAIT_MS = 3_000;

/** Everything a Dify turn needs to be answered and kept, gathered before the model is asked. */
export interface TurnPlan {
	ids: TurnIds;
	scope: DifyScope;
	/** A conversation this turn starts: written in the turn's batch. */
	newConversation: NewDifyConversation | undefined;
	userItem: StoredItem;
	resources: RetrieverResource[];
	meter: UsageMeter;
	group: string;
	env: Env;
	waitUntil: (work: Promise<unknown>) => void;
}

const STREAM_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" };

/**
 * What the turn was billed, from its usage record: the counts and cost the ledger is charged, at the prices in
 * force when the request was accepted (the meter's price book, as the usage queue's consumer charges it).
 */
async function billedTurn(plan: TurnPlan): Promise<BilledTurn> {
	const { meter } = plan;
	const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), RECORD_WAIT_MS));
	const record = await Promise.race([meter.recorded, timeout]);
	const price = meter.prices?.priceFor(meter.model, meter.channelId);
	const multiplier = meter.prices?.multiplier(plan.group) ?? 1;
	return {
		promptTokens: record?.prompt_tokens ?? 0,
		completionTokens: record?.completion_tokens ?? 0,
		costNusd: record?.cost_nusd ?? 0,
		inputPerMtok: (price?.inputPerMtok ?? 0) * multiplier,
		outputPerMtok: (price?.outputPerMtok ?? 0) * multiplier,
		latencyMs: record?.latency_ms ?? Date.now() - meter.startedAt,
	};
}

/**
 * Writes the turn (and the conversation it starts) in one batch, before the answer's end goes out: a client that
 * sends the next message at once finds it. A write D1 refuses is spooled to R2 and landed by the cron
 * (src/conversations/response-writes.ts), so the history loses nothing.
 */
async function keepTurn(plan: TurnPlan, answer: string, status: Turn["status"], billed: BilledTurn): Promise<void> {
	const turn: Turn = {
		id: plan.ids.messageId,
		conversationId: plan.ids.conversationId,
		ownerId: plan.scope.ownerId,
		model: plan.meter.model,
		status,
		inputTokens: billed.promptTokens,
		outputTokens: billed.completionTokens,
		costNusd: billed.costNusd,
		latencyMs: billed.latencyMs,
		sources: plan.resources,
		items: [plan.userItem, ...(answer ? [toStoredItem({ type: "message", role: "assistant", content: answer }, "answer")] : [])],
	};
	await saveWrite(plan.env, { response: undefined, conversation: plan.newConversation, turn });
}

const metadataOf = (plan: TurnPlan, billed: BilledTurn): TurnMetadata => ({ usage: difyUsage(billed), retriever_resources: plan.resources });

const completion = z.looseObject({ choices: z.array(z.looseObject({ message: z.looseObject({ content: z.string().nullish() }) })) });

/** A blocking answer: the model's whole answer, kept with the turn, then returned as Dify's one JSON. */
export async function blockingTurn(plan: TurnPlan, res: Response) {
	const parsed = completion.safeParse(await res.json());
	const answer = parsed.success ? parsed.data.choices.map((c) => c.message.content ?? "").join("") : "";
	const billed = await billedTurn(plan);
	await keepTurn(plan, answer, "completed", billed);
	return blockingAnswer(plan.ids, answer, metadataOf(plan, billed));
}

/** Headers of a streamed answer: the relay's (rate limits, channel) when it answered before the stream began. */
function streamHeaders(relayed: Headers | undefined): Headers {
	const headers = new Headers(relayed);
	headers.delete("content-length");
	for (const [name, value] of Object.entries(STREAM_HEADERS)) headers.set(name, value);
	return headers;
}

function bodyOf(res: Response): ReadableStream<Uint8Array> {
	if (!res.body) throw new GatewayError("upstream_error", "The model's answer had no body");
	return res.body;
}

/** Whether `work` settles (either way) within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), ms);
	});
	const settled = await Promise.race([
		work.then(
			() => true,
			() => true,
		),
		late,
	]);
	if (timer !== undefined) clearTimeout(timer);
	return settled;
}

/** Dify's words for a failure: a known one as its status says, anything else as an internal error (logged). */
function failureOf(err: unknown, plan: TurnPlan): Failure {
	const known = knownError(err);
	if (known) return { status: known.status, code: difyCode(known.status), message: known.message, errorCode: known.code };
	console.error(JSON.stringify({ level: "error", request_id: plan.meter.requestId, error: String(err) }));
	return {
		status: 500,
		code: "internal_server_error",
		message: `Internal error; quote request id ${plan.meter.requestId} when reporting it`,
		errorCode: "internal_error",
	};
}

/** A relay that failed after the stream began: its usage record is the turn's to send (the meter was deferred). */
function recordedFailure(plan: TurnPlan, err: unknown): Failure {
	const failure = failureOf(err, plan);
	plan.waitUntil(plan.meter.record({ status: failure.status, errorCode: failure.errorCode }));
	return failure;
}

interface Failure {
	status: number;
	code: string;
	message: string;
	/** The gateway's code for the usage record, when the failure came before the model answered. */
	errorCode?: ErrorCode;
}

/**
 * A streamed answer. If retrieval, memory and the model answer within `commitMs`, as they nearly always do, the
 * stream begins with the model's answer, and a failure before it is an HTTP error as Dify's own are. Otherwise the
 * stream begins at once with a `ping`, so that Dify's clients and the proxies between hear from the gateway at least
 * every 10 s however slow the model, and a failure is the stream's `error` event.
 */
export async function streamingTurn(plan: TurnPlan, answered: Promise<Response>, commitMs = COMMIT_MS): Promise<Response> {
	if (await settlesWithin(answered, commitMs)) {
		const res = await answered;
		return new Response(turnStream(plan, Promise.resolve(bodyOf(res)), false), { headers: streamHeaders(res.headers) });
	}
	// The handler returns before the relay has settled: the turn records the request itself if the relay fails.
	plan.meter.deferred = true;
	return new Response(turnStream(plan, answered.then(bodyOf), true), { headers: streamHeaders(undefined) });
}

/**
 * The relay's OpenAI stream read chunk by chunk into Dify's `message` events, a `ping` every 10 s, and at the end
 * the turn kept, then `message_end` (or `error`). Stopping it (the stop route, or the client going away) cancels the
 * upstream; the turn is kept as `stopped` with what was produced, and billed for that.
 */
function turnStream(plan: TurnPlan, upstream: Promise<ReadableStream<Uint8Array>>, pingFirst: boolean): ReadableStream<Uint8Array> {
	const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
	const writer = writable.getWriter();
	const encoder = new TextEncoder();
	let stopRequested = false;
	// A stop may come from another request (the stop route), which may not touch this request's streams: it only
	// asks, and this request's own timer sees the request and cancels the upstream itself.
	const stop = () => {
		stopRequested = true;
	};
	const send = (text: string) => writer.write(encoder.encode(text)).catch(() => {});
	writer.closed.catch(stop);
	const untrack = trackTurn(plan.ids.taskId, plan.scope, stop);

	const pump = async () => {
		let answer = "";
		let pending = "";
		let failure: Failure | undefined;
		const streamFailure = (message: string): Failure => ({ status: 502, code: "completion_request_error", message });
		const events = sseReader((e) => {
			const read = readChunk(e.data);
			if (read.kind === "text") {
				answer += read.text;
				pending += messageEvent(plan.ids, read.text);
			} else if (read.kind === "error") failure ??= streamFailure(read.message);
		});
		const decoder = new TextDecoder();
		if (pingFirst) void send(PING_EVENT);
		const ping = setInterval(() => void send(PING_EVENT), PING_MS);
		const stopping = Promise.withResolvers<undefined>();
		let ticks = 0;
		const watch = setInterval(() => {
			ticks += 1;
			// A stop that landed in another isolate is looked for in the data center's cache, once a second.
			if (ticks % CACHE_POLL_TICKS === 0) {
				stopLeftElsewhere(plan.ids.taskId, plan.scope).then(
					(left) => {
						if (left) stopRequested = true;
					},
					() => {},
				);
			}
			if (stopRequested) stopping.resolve(undefined);
		}, STOP_POLL_MS);
		let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
		try {
			const body = await Promise.race([upstream, stopping.promise]);
			if (body === undefined) {
				// Stopped before the model answered: its answer, when it comes, is cancelled unread (the relay records
				// it as cut short); a failure instead is recorded here, as no one else will.
				plan.waitUntil(
					upstream.then(
						(late) => late.cancel(),
						(err) => void recordedFailure(plan, err),
					),
				);
			} else {
				reader = body.getReader();
				for (;;) {
					const { done, value } = await Promise.race([reader.read(), stopping.promise.then(() => ({ done: true as const, value: undefined }))]);
					if (done) break;
					events.feed(decoder.decode(value, { stream: true }));
					if (pending) await send(pending);
					pending = "";
				}
				events.end();
			}
		} catch (err) {
			if (reader) failure ??= streamFailure("The model's answer broke off");
			else {
				failure = recordedFailure(plan, err);
			}
		} finally {
			clearInterval(ping);
			clearInterval(watch);
			untrack();
		}
		const stopped = stopRequested;
		// The upstream is cancelled here, in this request: the relay records the answer as cut short by its reader.
		if (stopped) await reader?.cancel().catch(() => {});
		if (pending) await send(pending);
		const status = stopped ? "stopped" : failure === undefined ? "completed" : "failed";
		const billed = await billedTurn(plan);
		await keepTurn(plan, answer, status, billed);
		await send(
			status === "failed" && failure
				? errorEvent(plan.ids, failure.status, failure.code, failure.message)
				: messageEndEvent(plan.ids, metadataOf(plan, billed)),
		);
		await writer.close().catch(() => {});
	};
	plan.waitUntil(pump());
	return readable;
}
