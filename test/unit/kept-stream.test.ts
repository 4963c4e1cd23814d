import { describe, expect, it } from "vitest";
import { keptJson, keptStream } from "../../src/routes/shared/keep-response";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const event = (type: string, body: unknown) => `event: ${type}\ndata: ${JSON.stringify({ type, ...(body as object) })}\n\n`;

describe("keptStream: a stored response's last event waits for its write", () => {
	it("passes events on as they come but holds response.completed until the response is kept", async () => {
		let release = () => {};
		const kept: unknown[] = [];
		const stream = keptStream((response) => {
			kept.push(response);
			return new Promise<void>((resolve) => {
				release = resolve;
			});
		});
		const writer = stream.writable.getWriter();
		const reader = stream.readable.getReader();
		const created = event("response.created", { response: { id: "resp_1" } });
		// An event split across chunks, and two in one chunk: the stream's pieces need not be events.
		void writer.write(encoder.encode(created.slice(0, 10)));
		void writer.write(encoder.encode(created.slice(10) + event("response.output_text.delta", { delta: "Hi" })));
		expect(decoder.decode((await reader.read()).value)).toBe(created);
		expect(decoder.decode((await reader.read()).value)).toContain('"delta":"Hi"');

		const completed = event("response.completed", { response: { id: "resp_1", output: [] } });
		void writer.write(encoder.encode(completed));
		const next = reader.read();
		let delivered = false;
		void next.then(() => {
			delivered = true;
		});
		// Let every pending job run: the write has been asked for, the event is still held.
		for (let i = 0; i < 20; i++) await Promise.resolve();
		expect(kept).toEqual([{ id: "resp_1", output: [] }]);
		expect(delivered).toBe(false);
		release();
		expect(decoder.decode((await next).value)).toBe(completed);
	});
});

describe("keptJson: a stored response's JSON is all sent but its last byte before the write", () => {
	it("sends every byte but the last at once, and the last once the response is kept", async () => {
		const text = JSON.stringify({ id: "resp_1", object: "response", output: [] });
		const written = Promise.withResolvers<void>();
		const reader = keptJson(encoder.encode(text), written.promise).getReader();
		expect(decoder.decode((await reader.read()).value)).toBe(text.slice(0, -1));
		const next = reader.read();
		let delivered = false;
		void next.then(() => {
			delivered = true;
		});
		for (let i = 0; i < 20; i++) await Promise.resolve();
		expect(delivered).toBe(false);
		written.resolve();
		expect(decoder.decode((await next).value)).toBe("}");
		expect((await reader.read()).done).toBe(true);
	});
});
