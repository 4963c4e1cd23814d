import { describe, expect, it } from "vitest";
import { fitContext } from "../../src/protocols/fit-context";
import type { ChatRequest } from "../../src/protocols/ir";
import { estimatePromptTokens } from "../../src/protocols/prompt-estimate";

const words = (n: number, w: string) => Array.from({ length: n }, () => w).join(" ");

/** A chat of `turns` turns of about 100 tokens each, the middle one a tool round trip, after a system message. */
function chat(turns: number): ChatRequest {
	const messages: ChatRequest["messages"] = [{ role: "system", content: "Be brief." }];
	for (let t = 0; t < turns; t++) {
		messages.push({ role: "user", content: `${t} ${words(50, "question")}` });
		if (t === 1) {
			messages.push({ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] });
			messages.push({ role: "tool", tool_call_id: "c1", content: words(20, "result") });
		}
		messages.push({ role: "assistant", content: words(50, "answer") });
	}
	return { model: "m", messages };
}

describe("fitContext (truncation auto)", () => {
	it("leaves a chat that fits as it is", () => {
		const c = chat(3);
		expect(fitContext(c, 100_000, 1000)).toEqual({ chat: c, dropped: 0, tokens: estimatePromptTokens(c) });
	});

	it("drops the oldest whole turns, keeps the system message, and fits the window counted with the estimator", () => {
		const c = chat(10);
		const window = Math.floor(estimatePromptTokens(c) / 2);
		const fit = fitContext(c, window, 100);
		expect(fit.chat.messages[0]).toEqual({ role: "system", content: "Be brief." });
		expect(fit.chat.messages[1]?.role).toBe("user");
		expect(estimatePromptTokens(fit.chat) + 100).toBeLessThanOrEqual(window);
		expect(fit.tokens).toBe(estimatePromptTokens(fit.chat));
		// No tool result is left without the call it answers.
		expect(fit.chat.messages.some((m) => m.role === "tool")).toBe(fit.chat.messages.some((m) => m.tool_calls !== undefined));
		expect(fit.chat.messages.at(-2)).toEqual(c.messages.at(-2));
	});

	it("always keeps the last turn, even when it alone is too long", () => {
		const fit = fitContext(chat(4), 10, 0);
		expect(fit.chat.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
	});
});
