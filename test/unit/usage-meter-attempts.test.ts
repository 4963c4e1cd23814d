import { describe, expect, it } from "vitest";
import type { UsageRecord } from "../../queues/usage-message";
import { UsageMeter } from "../../src/relay/meter";

describe("a request's attempts that a stream was continued from", () => {
	it("each has its own record, named for the request and the attempt; the governors settle once, for all of them", async () => {
		const sent: UsageRecord[] = [];
		const settled: UsageRecord[] = [];
		const meter = new UsageMeter("req-1", null, "/v1/chat/completions", Date.now(), async (r) => {
			sent.push(r);
		});
		meter.onRecord = async (r) => {
			settled.push(r);
		};
		meter.channelId = 7;
		await meter.recordAttempt(1, {
			status: 502,
			errorCode: "stream_continued",
			usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 0 },
			partial: true,
		});
		meter.channelId = 8;
		await meter.record({ status: 200, usage: { promptTokens: 14, completionTokens: 9, cachedTokens: 0 } });
		expect(sent.map((r) => [r.request_id, r.channel_id, r.status, r.prompt_tokens, r.completion_tokens])).toEqual([
			["req-1.1", 7, 502, 10, 5],
			["req-1", 8, 200, 14, 9],
		]);
		expect(settled).toHaveLength(1);
		expect(settled[0]).toMatchObject({ request_id: "req-1", prompt_tokens: 24, completion_tokens: 14 });
	});
});
