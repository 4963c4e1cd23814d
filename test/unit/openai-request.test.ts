import { describe, expect, it } from "vitest";
import { chatCompletionRequest, toChat } from "../../src/protocols/openai/request";

const read = (body: unknown) => toChat(chatCompletionRequest.parse(body));

describe("a Chat Completions request read into the internal representation", () => {
	it("keeps what the translations read, leaves out what they cannot, and carries the rest along", () => {
		const chat = read({
			model: "m",
			seed: 7,
			max_tokens: null,
			temperature: 0.5,
			messages: [
				{
					role: "user",
					content: [
						{ type: "text", text: "hi" },
						{ type: "input_audio", input_audio: { data: "x" } },
					],
				},
				{
					role: "assistant",
					content: null,
					reasoning_content: "r",
					reasoning_signature: "sig",
					tool_calls: [
						{ id: "c", type: "function", function: { name: "f", arguments: "{}" } },
						{ id: "d", type: "custom", custom: {} },
					],
				},
				{ role: "tool", tool_call_id: "c", content: "ok" },
			],
			tools: [
				{ type: "function", function: { name: "f", parameters: { type: "object" } } },
				{ type: "custom", custom: { name: "g" } },
			],
			tool_choice: { type: "allowed_tools", allowed_tools: {} },
			response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object" } } },
		});
		expect(chat).toMatchObject({ model: "m", seed: 7, temperature: 0.5, response_format: { type: "json_schema", json_schema: { name: "r" } } });
		expect(chat).not.toHaveProperty("max_tokens");
		expect(chat).not.toHaveProperty("tool_choice");
		expect(chat.tools).toEqual([{ type: "function", function: { name: "f", parameters: { type: "object" } } }]);
		expect(chat.messages[0]?.content).toEqual([{ type: "text", text: "hi" }]);
		expect(chat.messages[1]).toMatchObject({ reasoning_content: "r", reasoning_signature: "sig", tool_calls: [{ id: "c" }] });
		expect(chat.messages[1]?.tool_calls).toHaveLength(1);
	});

	it("refuses a known shape gone wrong, naming the place", () => {
		const bad = chatCompletionRequest.safeParse({
			model: "m",
			messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: {} } }] }],
		});
		expect(bad.success).toBe(false);
		expect(bad.error?.issues[0]?.path.slice(0, 3)).toEqual(["messages", 0, "tool_calls"]);
	});
});
