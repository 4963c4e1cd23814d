import { type UsageRecord, withinBounds } from "../../queues/usage-message";
import { costNusd } from "../billing/cost";
import type { PriceBook } from "../billing/price-book";
import type { Usage } from "../protocols/usage";
import type { CallerKey } from "../types/caller";
import { countRecord } from "./llm-metrics";

export interface MeterOutcome {
	status: number;
	errorCode?: string | undefined;
	usage?: Usage | undefined;
	estimated?: boolean;
	partial?: boolean;
	ttfbMs?: number | undefined;
	/** Served from the response cache: its kind, and the channel whose price the answer would have cost. */
	cacheHit?: { kind: "exact" | "semantic"; pricedChannelId: number | null; chargeFraction: number };
}

/** A count an upstream reported (or a cost made from one) as the record's schema takes it: a safe integer, at least 0. */
const bounded = (n: number): number => (Number.isFinite(n) ? Math.min(Math.max(0, Math.round(n)), Number.MAX_SAFE_INTEGER) : 0);

/**
 * Collects what is known about one relay request as it goes and sends exactly one usage record, after the
 * response, through the usage queue. The hot path never waits on it.
 */
export class UsageMeter {
	model = "";
	stream = false;
	#caller: CallerKey | undefined;
	/** The prices in force when the request was accepted: a request is charged at those, whenever it ends. */
	prices: PriceBook | undefined;
	channelId: number | null = null;
	/** The serving channel's type (its provider), for /metrics. */
	provider: string | null = null;
	upstreamModel: string | null = null;
	attempts = 0;
	/** Set when the response body outlives the handler (a stream) and will record on its own when it ends. */
	deferred = false;
	/**
	 * The batch this request is a line of (src/batches): named in its record, and charged its price less the batch
	 * discount (BATCH_DISCOUNT, a fraction).
	 */
	batch: { id: string; discount: number } | undefined;
	/** Called with the record as it is sent: the governors settle the request's holds with it. */
	onRecord: ((record: UsageRecord) => Promise<void>) | undefined;
	#sent = false;
	/** What the attempts a stream was continued from used, for the governors' one settlement. */
	readonly #earlier = { promptTokens: 0, completionTokens: 0, costNusd: 0 };
	readonly #recorded = Promise.withResolvers<UsageRecord>();

	constructor(
		readonly requestId: string,
		readonly clientRequestId: string | null,
		readonly endpoint: string,
		readonly startedAt: number,
		private readonly send: (record: UsageRecord) => Promise<void>,
	) {}

	setCaller(caller: CallerKey): void {
		this.#caller = caller;
	}

	/**
	 * The record, once the request has ended and been priced: what it was billed (tokens, cost at the prices in force
	 * when it was accepted). A Dify turn reports it in `message_end` and keeps it with the turn.
	 */
	get recorded(): Promise<UsageRecord> {
		return this.#recorded.promise;
	}

	/** The app of an app key (Dify's /dify/v1), for the request log. */
	get appId(): string | null {
		return this.#caller?.appId ?? null;
	}

	/** Whether the request's key was accepted: only then is there a record to send (see middleware/usage-meter.ts). */
	get authenticated(): boolean {
		return this.#caller !== undefined;
	}

	/**
	 * What `usage` costs the caller at the prices the request was accepted at, on `channelId`'s price (the serving
	 * channel's, or for a cache hit the channel that gave the stored answer): what its record charges.
	 */
	costOf(usage: Usage, channelId = this.channelId): number {
		const price = this.prices?.priceFor(this.model, channelId);
		const multiplier = this.prices?.multiplier(this.#caller?.group ?? "default") ?? 1;
		return price ? bounded(costNusd(price, usage, multiplier)) : 0;
	}

	record(outcome: MeterOutcome, now = Date.now()): Promise<void> {
		if (this.#sent) return Promise.resolve();
		this.#sent = true;
		const record = this.#build(outcome, this.requestId, now);
		this.#recorded.resolve(record);
		countRecord(record, outcome.usage, this.provider, false);
		const sent = this.send(record);
		if (!this.onRecord) return sent;
		// The governors settle the request's hold once, for every attempt it made.
		const { promptTokens, completionTokens, costNusd } = this.#earlier;
		const whole = {
			...record,
			prompt_tokens: record.prompt_tokens + promptTokens,
			completion_tokens: record.completion_tokens + completionTokens,
			cost_nusd: record.cost_nusd + costNusd,
		};
		return Promise.all([sent, this.onRecord(whole)]).then(() => {});
	}

	/**
	 * The record of an attempt a stream was continued from (src/relay/continuation.ts): its own row, on the channel
	 * it ran on, named for the request with the attempt's number (`<request id>.1`, `.2` …); the request's own record
	 * is the attempt that ended the stream. Billed like any record.
	 */
	recordAttempt(attempt: number, outcome: MeterOutcome, now = Date.now()): Promise<void> {
		const record = this.#build(outcome, `${this.requestId}.${attempt}`, now);
		this.#earlier.promptTokens += record.prompt_tokens;
		this.#earlier.completionTokens += record.completion_tokens;
		this.#earlier.costNusd += record.cost_nusd;
		// The attempt broke and the stream went on elsewhere: each continuation leaves one such record.
		countRecord(record, outcome.usage, this.provider, true);
		return this.send(record);
	}

	#build(outcome: MeterOutcome, requestId: string, now: number): UsageRecord {
		const usage = outcome.usage;
		const hit = outcome.cacheHit;
		const pricedOn = hit ? hit.pricedChannelId : this.channelId;
		const price = this.prices?.priceFor(this.model, pricedOn);
		// A hit is charged its configured fraction of what the answer would have cost; the rest is what it saved.
		const full = usage ? this.costOf(usage, pricedOn) : 0;
		const listed = hit ? bounded(full * hit.chargeFraction) : full;
		const charged = this.batch ? bounded(listed * (1 - this.batch.discount)) : listed;
		// A client chooses the path and the model name: bounded here, a record can never fail the consumer's schema.
		return withinBounds({
			request_id: requestId,
			client_request_id: this.clientRequestId,
			token_id: this.#caller?.keyId ?? null,
			user_id: this.#caller?.userId ?? null,
			channel_id: this.channelId,
			endpoint: this.endpoint,
			model: this.model,
			upstream_model: this.upstreamModel,
			prompt_tokens: bounded(usage?.promptTokens ?? 0),
			completion_tokens: bounded(usage?.completionTokens ?? 0),
			cached_tokens: bounded(usage?.cachedTokens ?? 0),
			cost_nusd: charged,
			price_id: hit && charged === 0 ? null : (price?.id ?? null),
			latency_ms: Math.max(0, now - this.startedAt),
			ttfb_ms: outcome.ttfbMs ?? null,
			stream: this.stream,
			attempts: this.attempts,
			status: outcome.status,
			error_code: outcome.errorCode ?? null,
			estimated: outcome.estimated ?? false,
			partial: outcome.partial ?? false,
			cache_hit: hit?.kind ?? null,
			saved_nusd: hit ? full - listed : 0,
			unit: usage?.units?.name ?? null,
			units: Math.max(0, usage?.units?.count ?? 0),
			batch_id: this.batch?.id ?? null,
			created_at: this.startedAt,
		});
	}
}
