import { describe, expect, it } from "vitest";
import { sseEvents, sseTransform } from "../../src/protocols/sse";
import { UNREADABLE_EVENT } from "../../src/protocols/stream-json";
import { chatResponse, chatStream } from "../../src/providers/workers-ai/translate";

async function mapStream(input: string): Promise<string> {
	const body = new Response(input).body;
	if (!body) throw new Error("no body");
	return new Response(body.pipeThrough(sseTransform(chatStream("@cf/meta/llama-3.1-8b-instruct")))).text();
}

describe("workers-ai translation", () => {
	it("turns a `response` answer with tool calls and usage into a chat completion", () => {
		const out = chatResponse(
			{
				response: "",
				tool_calls: [{ name: "get_weather", arguments: { city: "Paris" } }],
				usage: { prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 },
			},
			"@cf/m",
		);
		expect(out.choices[0]).toMatchObject({
			message: { content: null, tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
			finish_reason: "tool_calls",
		});
		expect(out.usage).toEqual({ prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 });
	});

	it("turns its stream into OpenAI chunks with a finish, usage and [DONE]", async () => {
		const out = await mapStream(
			'data: {"response":"Hel","p":"abc"}\n\ndata: {"response":"lo"}\n\ndata: {"response":"","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\ndata: [DONE]\n\n',
		);
		const events = sseEvents(out).map((e) => e.data);
		expect(events.at(-1)).toBe("[DONE]");
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
		expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello");
		expect(chunks[0].choices[0].delta.role).toBe("assistant");
		expect(chunks.find((c) => c.choices[0]?.finish_reason === "stop")).toBeDefined();
		expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
	});

	it("turns an event that is not JSON into the chunk stream's error event (the meter ends the stream there)", async () => {
		const out = await mapStream('data: {"response":"Hel"}\n\ndata: {"respon\n\ndata: {"response":"lo"}\n\n');
		const errors = sseEvents(out)
			.map((e) => JSON.parse(e.data))
			.filter((c) => c.error);
		expect(errors).toEqual([{ error: { message: UNREADABLE_EVENT, type: "api_error", code: "upstream_error" } }]);
	});
});
