import { describe, expect, it, vi } from "vitest";
import { MAX_RECORDS_PER_MESSAGE, type UsageMessage, type UsageRecord } from "../../queues/usage-message";
import { UsageBatcher } from "../../src/relay/usage-batcher";

const record = (n: number) => ({ request_id: `r${n}` }) as UsageRecord;

function fakeQueue(fail = false) {
	const sent: UsageMessage[] = [];
	const queue = {
		send: async (body: UsageMessage) => {
			if (fail) throw new Error("queue unavailable");
			sent.push(body);
		},
	} as unknown as Queue<UsageMessage>;
	return { queue, sent };
}

describe("usage batcher", () => {
	it("carries the records of requests that finish together in one message", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = new UsageBatcher(queue, 5);
		await Promise.all([batcher.send(record(1)), batcher.send(record(2)), batcher.send(record(3))]);
		expect(sent).toEqual([{ records: [record(1), record(2), record(3)] }]);
		await batcher.send(record(4));
		expect(sent[1]).toEqual({ records: [record(4)] });
	});

	it("lets a request that joins a message go at once: only the opener's context can wait for the send", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = new UsageBatcher(queue, 5);
		const opener = batcher.send(record(1));
		await batcher.send(record(2));
		expect(sent).toEqual([]);
		await opener;
		expect(sent).toEqual([{ records: [record(1), record(2)] }]);
	});

	it("starts a new message once one is full", async () => {
		const { queue, sent } = fakeQueue();
		const batcher = new UsageBatcher(queue, 5);
		await Promise.all(Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, (_, i) => batcher.send(record(i))));
		expect(sent.map((m) => m.records.length)).toEqual([MAX_RECORDS_PER_MESSAGE, 1]);
	});

	it("logs every record of a message it could not send, and still settles", async () => {
		const { queue } = fakeQueue(true);
		const log = vi.spyOn(console, "error").mockImplementation(() => {});
		await new UsageBatcher(queue, 1).send(record(9));
		expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ event: "usage_send_failed", records: [{ request_id: "r9" }] });
		log.mockRestore();
	});
});
