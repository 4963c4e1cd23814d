import { MAX_RECORDS_PER_MESSAGE, type UsageMessage, type UsageRecord } from "../../queues/usage-message";

interface OpenBatch {
	records: UsageRecord[];
	sent: Promise<void>;
}

/**
 * Gathers the usage records of requests that an isolate finishes within a tenth of a second of each other into
 * one Queue message, so that under load a record costs a fraction of a Queue operation instead of one each.
 * The request that opens a message sends it, from its own context, and keeps its `waitUntil` on it until it is
 * sent; the requests that join it do not wait for it. Only the opener's context can settle that promise: workerd
 * cancels another request's wait on it ("Promise will never complete") and warns when it settles, an exception
 * and a warning per request, which an attached inspector (always, under `wrangler dev`) receives and forwards.
 * A message that cannot be sent is logged in full so an operator can recover it.
 */
export class UsageBatcher {
	#open: OpenBatch | undefined;

	constructor(
		private readonly queue: Queue<UsageMessage>,
		private readonly lingerMs: number,
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
				return this.#flush(records);
			}),
		};
		this.#open = opened;
		return opened.sent;
	}

	async #flush(records: UsageRecord[]): Promise<void> {
		try {
			await this.queue.send({ records }, { contentType: "json" });
		} catch (err) {
			console.error(JSON.stringify({ level: "error", event: "usage_send_failed", error: String(err), records }));
		}
	}
}

// One batcher per Queue binding (bindings live as long as the isolate).
const batchers = new WeakMap<Queue, UsageBatcher>();

/** How long a message stays open for more records: short, since the records ride on requests' waitUntil. */
const LINGER_MS = 100;

export function usageBatcher(queue: Queue): UsageBatcher {
	let batcher = batchers.get(queue);
	if (!batcher) {
		batcher = new UsageBatcher(queue, LINGER_MS);
		batchers.set(queue, batcher);
	}
	return batcher;
}
