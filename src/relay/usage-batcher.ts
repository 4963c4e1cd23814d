import { MAX_RECORDS_PER_MESSAGE, type UsageMessage, type UsageRecord } from "../../queues/usage-message";
import { d1Spool, SEND_RETRY_DELAYS_MS, sendWithRetries, type UsageSpool } from "../db/usage-spool";

interface OpenBatch {
	records: UsageRecord[];
	sent: Promise<void>;
}

/** Spooled messages a request's context sends back along with its own; the cron takes any more. */
const DRAIN_ON_SEND = 10;

/**
 * Gathers the usage records of requests that an isolate finishes within a tenth of a second of each other into
 * one Queue message, so that under load a record costs a fraction of a Queue operation instead of one each.
 * The request that opens a message sends it, from its own context, and keeps its `waitUntil` on it until it is
 * sent; the requests that join it do not wait for it. Only the opener's context can settle that promise: workerd
 * cancels another request's wait on it ("Promise will never complete") and warns when it settles, an exception
 * and a warning per request, which an attached inspector (always, under `wrangler dev`) receives and forwards.
 *
 * A send the queue refuses is tried twice more; a message still refused is kept in the spool, from which the cron
 * (and this isolate, with its next message the queue accepts) sends it again. Only when the spool cannot be written
 * either is the message logged in full, for an operator to recover.
 */
export class UsageBatcher {
	#open: OpenBatch | undefined;
	/** Set when this isolate spooled a message: its next accepted send drains the spool, with no D1 read before then. */
	#spooled = false;

	constructor(
		private readonly queue: Queue,
		private readonly spool: UsageSpool,
		private readonly lingerMs: number,
		private readonly retryDelaysMs: readonly number[] = SEND_RETRY_DELAYS_MS,
	) {}

	/** Resolves when the message is sent for the request that opened it, at once for those that joined it. */
	send(record: UsageRecord): Promise<void> {
		const batch = this.#open;
		if (batch) {
			batch.records.push(record);
			if (batch.records.length >= MAX_RECORDS_PER_MESSAGE) this.#open = undefined;
			return Promise.resolve();
		}
		return this.#openWith(record);
	}

	#openWith(record: UsageRecord): Promise<void> {
		const records: UsageRecord[] = [record];
		const opened: OpenBatch = {
			records,
			sent: new Promise<void>((resolve) => setTimeout(resolve, this.lingerMs)).then(() => {
				if (this.#open === opened) this.#open = undefined;
				return this.#flush({ records });
			}),
		};
		this.#open = opened;
		return opened.sent;
	}

	async #flush(message: UsageMessage): Promise<void> {
		const refusal = await sendWithRetries(this.queue, message, this.retryDelaysMs);
		if (refusal === undefined) {
			if (this.#spooled) await this.#drainSpool();
			return;
		}
		try {
			await this.spool.keep(message);
			this.#spooled = true;
			console.error(JSON.stringify({ level: "warn", event: "usage_spooled", error: String(refusal), records: message.records.length }));
		} catch (err) {
			console.error(JSON.stringify({ level: "error", event: "usage_send_failed", error: String(refusal), spool_error: String(err), ...message }));
		}
	}

	async #drainSpool(): Promise<void> {
		this.#spooled = false;
		try {
			if ((await this.spool.drain(this.queue, DRAIN_ON_SEND)) === DRAIN_ON_SEND) this.#spooled = true;
		} catch (err) {
			// What is left stays spooled for the cron.
			console.error(JSON.stringify({ level: "warn", event: "usage_spool_drain_failed", error: String(err) }));
		}
	}
}

// One batcher per Queue binding (bindings live as long as the isolate).
const batchers = new WeakMap<Queue, UsageBatcher>();

/** How long a message stays open for more records: short, since the records ride on requests' waitUntil. */
const LINGER_MS = 100;

export function usageBatcher(queue: Queue, database: D1Database): UsageBatcher {
	let batcher = batchers.get(queue);
	if (!batcher) {
		batcher = new UsageBatcher(queue, d1Spool(database), LINGER_MS);
		batchers.set(queue, batcher);
	}
	return batcher;
}
