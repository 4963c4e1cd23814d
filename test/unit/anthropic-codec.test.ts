import { describe, expect, it } from "vitest";
import { fromChat, toChat } from "../../src/protocols/anthropic/request";
import { anthropicUsage, chatUsage } from "../../src/protocols/anthropic/usage";
import type { ChatRequest } from "../../src/protocols/ir";

describe("anthropic request mapping", () => {
	it("turns tool results into tool messages right after the calls, and back into one user turn", () => {
		const chat = toChat({
			model: "m",
			max_tokens: 100,
			messages: [
				{ role: "user", content: "Weather in Paris and Rome?" },
				{
					role: "assistant",
					content: [
						{ type: "thinking", thinking: "Two cities.", signature: "sig" },
						{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } },
						{ type: "tool_use", id: "t2", name: "get_weather", input: { city: "Rome" } },
					],
				},
				{
					role: "user",
					content: [
						{ type: "tool_result", tool_use_id: "t1", content: "Sunny" },
						{ type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: "Rain" }] },
						{ type: "text", text: "Which is warmer?" },
					],
				},
			],
		});
		expect(chat.messages).toEqual([
			{ role: "user", content: "Weather in Paris and Rome?" },
			{
				role: "assistant",
				content: null,
				reasoning_content: "Two cities.",
				reasoning_signature: "sig",
				tool_calls: [
					{ id: "t1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
					{ id: "t2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
				],
			},
			{ role: "tool", tool_call_id: "t1", content: "Sunny" },
			{ role: "tool", tool_call_id: "t2", content: "Rain" },
			{ role: "user", content: "Which is warmer?" },
		]);
		const back = fromChat(chat);
		expect(back.messages[1]?.content).toEqual([
			{ type: "thinking", thinking: "Two cities.", signature: "sig" },
			{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } },
			{ type: "tool_use", id: "t2", name: "get_weather", input: { city: "Rome" } },
		]);
		expect(back.messages[2]).toEqual({
			role: "user",
			content: [
				{ type: "tool_result", tool_use_id: "t1", content: "Sunny" },
				{ type: "tool_result", tool_use_id: "t2", content: "Rain" },
				{ type: "text", text: "Which is warmer?" },
			],
		});
	});

	it("fills Anthropic's required and narrower fields from an OpenAI request", () => {
		const req: ChatRequest = {
			model: "m",
			messages: [
				{ role: "system", content: "Be terse." },
				{ role: "assistant", content: "Earlier answer", reasoning_content: "unsigned reasoning from another provider" },
				{ role: "user", content: "Hi" },
			],
			temperature: 1.6,
			stop: "END",
			response_format: { type: "json_object" },
			tool_choice: "required",
			parallel_tool_calls: false,
			tools: [{ type: "function", function: { name: "f" } }],
			user: "u-1",
		};
		const out = fromChat(req);
		expect(out.max_tokens).toBe(4096);
		expect(out.temperature).toBe(1);
		expect(out.stop_sequences).toEqual(["END"]);
		expect(out.system).toBe("Be terse.\n\nRespond with a single JSON object and nothing else.");
		expect(out.messages[0]).toEqual({ role: "assistant", content: [{ type: "text", text: "Earlier answer" }] });
		expect(out.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
		expect(out.tools).toEqual([{ name: "f", input_schema: { type: "object", properties: {} } }]);
		expect(out.metadata).toEqual({ user_id: "u-1" });
	});

	it("turns reasoning effort into a thinking budget below max_tokens, without temperature", () => {
		const out = fromChat({ model: "m", messages: [{ role: "user", content: "Hi" }], max_tokens: 1000, reasoning_effort: "medium", temperature: 0.2 });
		expect(out.thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
		expect(out.max_tokens).toBeGreaterThan(4096);
		expect(out.temperature).toBeUndefined();
		expect(
			toChat({ model: "m", max_tokens: 20000, messages: [{ role: "user", content: "Hi" }], thinking: { type: "enabled", budget_tokens: 16000 } }),
		).toMatchObject({
			thinking_budget: 16000,
			reasoning_effort: "high",
		});
	});
});

describe("anthropic usage mapping", () => {
	it("counts cache reads and writes into prompt tokens and back", () => {
		const chat = chatUsage({ input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 });
		expect(chat).toEqual({
			prompt_tokens: 125,
			completion_tokens: 7,
			total_tokens: 132,
			prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 20 },
		});
		expect(anthropicUsage(chat)).toEqual({ input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 });
	});
});
