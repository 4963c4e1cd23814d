import { describe, expect, it } from "vitest";
import { anthropicIngress } from "../../src/protocols/anthropic";
import { messagesRequest } from "../../src/protocols/anthropic/schema";
import { geminiIngress } from "../../src/protocols/gemini";
import { openaiIngress } from "../../src/protocols/openai";
import { chatCompletionRequest } from "../../src/protocols/openai/request";
import { responsesIngress } from "../../src/protocols/responses";
import { responsesRequest } from "../../src/protocols/responses/request-schema";
import { providers } from "../../src/providers/registry";
import type { ChatCall } from "../../src/relay/request";
import { requestFor } from "../../src/relay/translate";
import { generateContentRequest } from "../../src/routes/gemini-schemas";

const messages = [{ role: "user", content: "hi" }];

function openaiCall(extra: Record<string, unknown>): ChatCall {
	const native = chatCompletionRequest.parse({ model: "m", messages, ...extra });
	return { ingress: openaiIngress, native, chat: openaiIngress.toChat(native), stream: false };
}

function anthropicCall(extra: Record<string, unknown>): ChatCall {
	const native = messagesRequest.parse({ model: "m", max_tokens: 4_000, messages, ...extra });
	return { ingress: anthropicIngress, native, chat: anthropicIngress.toChat(native), stream: false };
}

function geminiCall(generationConfig: Record<string, unknown>): ChatCall {
	const native = generateContentRequest.parse({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig });
	const ingress = geminiIngress(true);
	return { ingress, native, chat: { ...ingress.toChat(native), model: "m" }, stream: false };
}

describe("a budget's output cap, in every upstream's dialect", () => {
	it("lowers the OpenAI fields the client set, and adds the one each upstream takes when it set none", () => {
		const capped = (call: ChatCall, type: keyof typeof providers) => requestFor(call)(providers[type], 50);
		expect(capped(openaiCall({ max_tokens: 1_000 }), "deepseek")).toMatchObject({ max_tokens: 50 });
		expect(capped(openaiCall({}), "deepseek")).toMatchObject({ max_tokens: 50 });
		expect(capped(openaiCall({ max_completion_tokens: 900, max_tokens: 800 }), "vllm")).toMatchObject({ max_completion_tokens: 50, max_tokens: 50 });
		// OpenAI's reasoning models refuse max_tokens: the gateway's cap goes in max_completion_tokens.
		const toOpenai = capped(openaiCall({}), "openai");
		expect(toOpenai).toMatchObject({ max_completion_tokens: 50 });
		expect(toOpenai).not.toHaveProperty("max_tokens");
		// A client's own smaller limit stands.
		expect(capped(openaiCall({ max_tokens: 10 }), "deepseek")).toMatchObject({ max_tokens: 10 });
	});

	it("passes the client's body through untouched when nothing is capped", () => {
		const call = openaiCall({ max_tokens: 1_000 });
		expect(requestFor(call)(providers.openai)).toBe(call.native);
	});

	it("caps Anthropic's max_tokens, keeping a thinking budget below it or turning thinking off when none fits", () => {
		const toAnthropic = (call: ChatCall, cap: number) => requestFor(call)(providers.anthropic, cap);
		expect(toAnthropic(anthropicCall({}), 300)).toMatchObject({ max_tokens: 300 });
		const thinking = { thinking: { type: "enabled", budget_tokens: 2_000 } };
		expect(toAnthropic(anthropicCall(thinking), 3_000)).toMatchObject({ max_tokens: 3_000, thinking: { type: "enabled", budget_tokens: 2_000 } });
		expect(toAnthropic(anthropicCall(thinking), 1_500)).toMatchObject({ max_tokens: 1_500, thinking: { type: "enabled", budget_tokens: 1_499 } });
		const off = toAnthropic(anthropicCall(thinking), 800);
		expect(off).toMatchObject({ max_tokens: 800 });
		expect(off).not.toHaveProperty("thinking");
		// Translated from OpenAI, where the thinking budget is raised above max_tokens: the cap still holds.
		expect(toAnthropic(openaiCall({ reasoning_effort: "low", max_tokens: 5_000 }), 700)).toMatchObject({ max_tokens: 700 });
		expect(toAnthropic(openaiCall({ reasoning_effort: "low", max_tokens: 5_000 }), 700)).not.toHaveProperty("thinking");
	});

	it("caps Gemini's generationConfig.maxOutputTokens, set or not", () => {
		const toGemini = (call: ChatCall) => requestFor(call)(providers.gemini, 64);
		expect(toGemini(geminiCall({ maxOutputTokens: 2_048, temperature: 0.2 }))).toMatchObject({ generationConfig: { maxOutputTokens: 64, temperature: 0.2 } });
		expect(toGemini(geminiCall({}))).toMatchObject({ generationConfig: { maxOutputTokens: 64 } });
		expect(toGemini(openaiCall({}))).toMatchObject({ generationConfig: { maxOutputTokens: 64 } });
	});

	it("caps a Responses request's max_output_tokens on its way to a chat upstream", () => {
		const native = responsesRequest.parse({ model: "m", input: "hi", max_output_tokens: 900 });
		const call: ChatCall = { ingress: responsesIngress, native, chat: responsesIngress.toChat(native), stream: false };
		expect(requestFor(call)(providers.deepseek, 64)).toMatchObject({ max_tokens: 64 });
		expect(requestFor(call)(providers.openai, 64)).toMatchObject({ max_completion_tokens: 64 });
	});
});
