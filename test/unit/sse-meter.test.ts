import { describe, expect, it, vi } from "vitest";
import { openaiTap } from "../../src/protocols/openai/stream-tap";
import { UNREADABLE_EVENT } from "../../src/protocols/stream-json";
import { meterStream, type StreamSummary } from "../../src/relay/sse-meter";

const enc = new TextEncoder();
const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const delta = (content: string, finish: string | null = null) => event({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
const usageChunk = event({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 1 } } });

function source(parts: string[], failAfter?: number): ReadableStream<Uint8Array> {
	let i = 0;
	return new ReadableStream({
		pull(controller) {
			if (failAfter !== undefined && i === failAfter) return controller.error(new Error("connection reset"));
			const part = parts[i++];
			if (part === undefined) controller.close();
			else controller.enqueue(enc.encode(part));
		},
	});
}

async function run(parts: string[], forwardUsage: boolean, failAfter?: number) {
	let summary: StreamSummary | undefined;
	const out = meterStream(source(parts, failAfter), { tap: openaiTap(forwardUsage), startedAt: Date.now(), onEnd: (s) => (summary = s) });
	const text = await new Response(out).text();
	return { text, summary };
}

describe("meterStream", () => {
	it("reads usage on the side and holds back the usage chunk the client did not ask for", async () => {
		const { text, summary } = await run([delta("Hel"), delta("lo", "stop"), usageChunk, "data: [DONE]\n\n"], false);
		expect(text).toBe(`${delta("Hel") + delta("lo", "stop")}data: [DONE]\n\n`);
		expect(summary).toMatchObject({ end: "complete", usage: { promptTokens: 5, completionTokens: 2, cachedTokens: 1 } });
	});

	it("forwards the usage chunk when the client asked for it", async () => {
		const { text } = await run([delta("Hi", "stop"), usageChunk, "data: [DONE]\n\n"], true);
		expect(text).toContain('"usage"');
	});

	it("reassembles events split across network chunks without altering them", async () => {
		const whole = `${delta("abc") + delta("def", "stop")}data: [DONE]\n\n`;
		const { text, summary } = await run([whole.slice(0, 7), whole.slice(7, 40), whole.slice(40)], false);
		expect(text).toBe(whole);
		expect(summary?.deliveredChars()).toBe(6);
	});

	it("ends with an error event when the upstream fails mid-stream", async () => {
		const { text, summary } = await run([delta("partial")], false, 1);
		expect(text).toContain("partial");
		expect(text).toContain('"error"');
		expect(summary?.end).toBe("upstream_failed");
		expect(summary?.deliveredChars()).toBe(7);
	});

	it("passes network chunks made of whole events on as they came", async () => {
		const parts = [delta("a"), delta("b") + delta("c", "stop"), "data: [DONE]\n\n"];
		const reader = meterStream(source(parts), { tap: openaiTap(false), startedAt: Date.now(), onEnd: () => {} }).getReader();
		const seen: string[] = [];
		for (let r = await reader.read(); !r.done; r = await reader.read()) seen.push(new TextDecoder().decode(r.value));
		expect(seen).toEqual(parts);
	});

	it("forwards CRLF-framed events byte for byte, also when a network chunk cuts one in two", async () => {
		const whole = `data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\r\n\r\n: keep-alive\r\n\r\ndata: {"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}\r\n\r\ndata: [DONE]\r\n\r\n`;
		const { text, summary } = await run([whole.slice(0, 50), whole.slice(50, 130), whole.slice(130)], false);
		expect(text).toBe(whole);
		expect(summary).toMatchObject({ end: "complete" });
		expect(summary?.deliveredChars()).toBe(2);
	});

	it("does not mistake generated text for usage, a finish or an error", async () => {
		const tricky = delta('{"error": "x"} "usage": {} "finish_reason": "stop"');
		const { text, summary } = await run([tricky, "data: [DONE]\n\n"], false);
		expect(text).toBe(`${tricky}data: [DONE]\n\n`);
		expect(summary).toMatchObject({ end: "complete", usage: undefined });
	});

	it("treats a stream that stops without finishing as failed", async () => {
		const { text, summary } = await run([delta("cut")], false);
		expect(text).toContain("ended the stream early");
		expect(summary?.end).toBe("upstream_failed");
	});

	it("ends at an event that does not parse: what came before, then an error event in its place, and nothing after", async () => {
		const cut = 'data: {"choices":[{"index":0,"delta":{"content":"lo"\n\n';
		const { text, summary } = await run([delta("Hel") + cut + delta("!"), delta("", "stop"), "data: [DONE]\n\n"], false);
		expect(text).toBe(`${delta("Hel")}${event({ error: { message: UNREADABLE_EVENT, type: "api_error", code: "upstream_error" } })}`);
		expect(summary).toMatchObject({ end: "upstream_failed" });
		expect(summary?.deliveredChars()).toBe(3);
	});

	it("reads a last event cut short as unreadable too", async () => {
		const { text, summary } = await run([delta("Hi"), 'data: {"choices":[{"ind'], false);
		expect(text).toContain(UNREADABLE_EVENT);
		expect(summary?.end).toBe("upstream_failed");
	});

	it("ends at the upstream's own error event, without waiting for more", async () => {
		const error = event({ error: { message: "overloaded", type: "server_error" } });
		let cancelled = false;
		const parts = [delta("a") + error + delta("b")];
		const upstream = new ReadableStream<Uint8Array>({
			pull: (c) => c.enqueue(enc.encode(parts.shift() ?? delta("more"))),
			cancel: () => {
				cancelled = true;
			},
		});
		let summary: StreamSummary | undefined;
		const text = await new Response(meterStream(upstream, { tap: openaiTap(false), startedAt: Date.now(), onEnd: (s) => (summary = s) })).text();
		expect(text).toBe(delta("a") + error);
		expect(summary?.end).toBe("upstream_failed");
		expect(cancelled).toBe(true);
	});

	it("reports a client that went away and cancels the upstream", async () => {
		let cancelled = false;
		let summary: StreamSummary | undefined;
		const upstream = new ReadableStream<Uint8Array>({
			pull: (c) => c.enqueue(enc.encode(delta("x"))),
			cancel: () => {
				cancelled = true;
			},
		});
		const reader = meterStream(upstream, { tap: openaiTap(false), startedAt: Date.now(), onEnd: (s) => (summary = s) }).getReader();
		await reader.read();
		await reader.cancel();
		await vi.waitFor(() => expect(cancelled).toBe(true));
		expect(summary?.end).toBe("client_closed");
	});
});
