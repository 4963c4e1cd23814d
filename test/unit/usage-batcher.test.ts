import { describe, expect, it, vi } from "vitest";
import { MAX_RECORDS_PER_MESSAGE, type UsageMessage, type UsageRecord } from "../../queues/usage-message";
import type { UsageSpool } from "../../src/db/usage-spool";
import { UsageBatcher } from "../../src/relay/usage-batcher";

const record = (n: number) => ({ request_id: `r${n}` }) as UsageRecord;

/** A queue that refuses the first `failures` sends (every send when Infinity). */
function fakeQueue(failures = 0) {
	const sent: unknown[] = [];
	let refused = 0;
	const queue = {
		send: async (body: unknown) => {
			if (refused < failures) {
				refused++;
				throw new Error("queue unavailable");
			}
			sent.push(body);
		},
	} as unknown as Queue;
	return { queue, sent, refusals: () => refused };
}

/** A spool in memory; `broken` refuses to keep anything. */
function fakeSpool(broken = false) {
	const kept: UsageMessage[] = [];
	const spool: UsageSpool = {
		keep: async (message) => {
			if (broken) throw new Error("D1 unavailable");
			if ("records" in message) kept.push(message);
		},
		drain: async (queue, limit) => {
			const batch = kept.splice(0, limit);
			for (const m of batch) await queue.send(m);
			return batch.length;
		},
	};
	return { spool, kept };
}

const batcherOf = (queue: Queue, spool = fakeSpool().spool) => new UsageBatcher(queue, spool, 5, [1, 1]);

describe("usage batcher", () => {
	it("carries the records of requests that finish together in one message", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = batcherOf(queue);
		await Promise.all([batcher.send(record(1)), batcher.send(record(2)), batcher.send(record(3))]);
		expect(sent).toEqual([{ records: [record(1), record(2), record(3)] }]);
		await batcher.send(record(4));
		expect(sent[1]).toEqual({ records: [record(4)] });
	});

	it("lets a request that joins a message go at once: only the opener's context can wait for the send", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = batcherOf(queue);
		const opener = batcher.send(record(1));
		await batcher.send(record(2));
		expect(sent).toEqual([]);
		await opener;
		expect(sent).toEqual([{ records: [record(1), record(2)] }]);
	});

	it("starts a new message once one is full", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = batcherOf(queue);
		await Promise.all(Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, (_, i) => batcher.send(record(i))));
		expect(sent.map((m) => (m as UsageMessage).records.length)).toEqual([MAX_RECORDS_PER_MESSAGE, 1]);
	});

	it("tries a send the queue refused again, and spools nothing once it is taken", async () => {
		const { queue, sent, refusals } = fakeQueue(2);
		const { spool, kept } = fakeSpool();
		await batcherOf(queue, spool).send(record(1));
		expect(refusals()).toBe(2);
		expect(sent).toEqual([{ records: [record(1)] }]);
		expect(kept).toEqual([]);
	});

	it("keeps a message the queue goes on refusing in the spool, and sends it back with its next message the queue takes", async () => {
		const { queue, sent } = fakeQueue(3);
		const { spool, kept } = fakeSpool();
		const warn = vi.spyOn(console, "error").mockImplementation(() => {});
		const batcher = batcherOf(queue, spool);
		await batcher.send(record(1));
		expect(sent).toEqual([]);
		expect(kept).toEqual([{ records: [record(1)] }]);
		expect(JSON.parse(String(warn.mock.calls[0]?.[0]))).toMatchObject({ event: "usage_spooled", records: 1 });
		warn.mockRestore();

		await batcher.send(record(2));
		expect(sent).toEqual([{ records: [record(2)] }, { records: [record(1)] }]);
		expect(kept).toEqual([]);
	});

	it("logs every record of a message neither the queue nor the spool would take, and still settles", async () => {
		const { queue } = fakeQueue(Number.POSITIVE_INFINITY);
		const log = vi.spyOn(console, "error").mockImplementation(() => {});
		await batcherOf(queue, fakeSpool(true).spool).send(record(9));
		expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ event: "usage_send_failed", records: [{ request_id: "r9" }] });
		log.mockRestore();
	});
});
