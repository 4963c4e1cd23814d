import { describe, expect, it } from "vitest";
import { streamToChat } from "../../src/protocols/gemini/stream-to-chat";
import { chatChunkSchema } from "../../src/protocols/openai/stream-chunk";
import { openaiTap } from "../../src/protocols/openai/stream-tap";
import { MAX_EVENT_DEPTH, nestsDeeperThan, parseEvent } from "../../src/protocols/stream-json";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("stream event parsing", () => {
	it("measures nesting on the text, brackets inside strings not counted", () => {
		expect(nestsDeeperThan(nested(3), 3)).toBe(false);
		expect(nestsDeeperThan(nested(4), 3)).toBe(true);
		expect(nestsDeeperThan(`{"a":"${"[".repeat(100)}\\"[["}`, 3)).toBe(false);
	});

	it("reads a chunk by its schema, and nothing from one that is too deep, not JSON or of another shape", () => {
		expect(parseEvent(chatChunkSchema, '{"choices":[{"delta":{"content":"hi"},"finish_reason":null}]}')?.choices?.[0]?.delta?.content).toBe("hi");
		expect(parseEvent(chatChunkSchema, `{"choices":[],"x":${nested(MAX_EVENT_DEPTH)}}`)).toBeUndefined();
		expect(parseEvent(chatChunkSchema, "{not json")).toBeUndefined();
		expect(parseEvent(chatChunkSchema, '{"choices":"many"}')).toBeUndefined();
	});

	it("keeps a chunk's content when its usage or finish reason does not fit", () => {
		const chunk = parseEvent(chatChunkSchema, '{"choices":[{"delta":{"content":"a"},"finish_reason":"eos"}],"usage":{"prompt_tokens":"3"}}');
		expect(chunk).toMatchObject({ choices: [{ delta: { content: "a" }, finish_reason: "stop" }], usage: undefined });
	});

	it("skips a Gemini event whose function arguments nest 10,000 deep instead of overflowing the stack", () => {
		const mapper = streamToChat("gemini-x");
		const deep = `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${nested(10_000)}}}}]}}]}`;
		expect(mapper.map({ event: undefined, data: deep })).toBe("");
		expect(mapper.map({ event: undefined, data: '{"candidates":[{"content":{"parts":[{"text":"ok"}]}}]}' })).toContain('"ok"');
	});

	it("counts nothing delivered for a chunk too deep to read", () => {
		const tap = openaiTap(false);
		tap.inspect(`{"choices":[{"delta":{"content":"abc"}}],"x":${nested(10_000)}}`);
		tap.inspect('{"choices":[{"delta":{"content":"de"},"finish_reason":"stop"}]}');
		expect(tap.deliveredChars()).toBe(2);
		expect(tap.complete).toBe(true);
	});
});
