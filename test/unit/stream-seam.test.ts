import { describe, expect, it } from "vitest";
import { resumeAnthropic } from "../../src/protocols/anthropic/stream-resume";
import { continuedChat } from "../../src/protocols/continue-request";
import { chatTranscript } from "../../src/protocols/openai/stream-transcript";
import { sseEvents } from "../../src/protocols/sse";
import { seamMapper, seamText } from "../../src/protocols/stream-seam";

const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ id: "up-2", choices: [{ index: 0, delta, finish_reason: finish }] });

/** The text a continuation adds after `delivered`, its chunks put through the seam. */
function spliced(delivered: string, pieces: string[]): string {
	const seam = seamMapper(delivered, "first");
	const out = [chunk({ role: "assistant", content: "" }), ...pieces.map((p) => chunk({ content: p })), chunk({}, "stop"), "[DONE]"]
		.map((data) => seam.map({ event: undefined, data }))
		.join("");
	return sseEvents(out)
		.filter((e) => e.data !== "[DONE]")
		.map((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "")
		.join("");
}

describe("the seam between a broken stream and its continuation", () => {
	it("lets an ordinary continuation through as it is, its leading space included", () => {
		expect(spliced("word0 word1", [" word2", " word3"])).toBe(" word2 word3");
	});

	it("drops a leading repeat of the delivered tail, however the continuation's chunks cut it", () => {
		expect(spliced("word0 word1 word2", [" word", "1 word2", " word3"])).toBe(" word3");
		expect(spliced("The cat sat on the", [" on the", " mat."])).toBe(" mat.");
	});

	it("does not double a space the delivered text ends with", () => {
		expect(spliced("Hello there, ", [" friend"])).toBe("friend");
	});

	it("keeps a short or mid-word coincidence: only a repeat of at least a few characters from a word boundary goes", () => {
		expect(seamText("I saw a", " a cat", true)).toBe(" a cat");
		expect(seamText("alphabet", "bet on it", false)).toBe("bet on it");
		expect(seamText("a cat", "cat", true)).toBe("cat");
	});

	it("holds text that may still be a repeat, and decides at the end whatever it is", () => {
		expect(seamText("word0 word1", " wor", false)).toBeUndefined();
		expect(seamText("word0 word1", " word1 and", false)).toBe(" and");
		expect(seamText("word0 word1", " wor", true)).toBe(" wor");
	});

	it("gives the continuation's chunks the broken stream's id and leaves out its role announcement", () => {
		const seam = seamMapper("Hi", "first");
		const out =
			seam.map({ event: undefined, data: chunk({ role: "assistant", content: "" }) }) + seam.map({ event: undefined, data: chunk({ content: " there" }) });
		expect(sseEvents(out).map((e) => JSON.parse(e.data))).toEqual([
			{ id: "first", choices: [{ index: 0, delta: { content: " there" }, finish_reason: null }] },
		]);
	});
});

describe("what a client saw of a broken stream", () => {
	it("chat chunks: the text, continuable while only text is in flight", () => {
		const text = chatTranscript([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" }), chunk({ content: "lo" })]);
		expect(text).toEqual({ text: "Hello", continuable: true, id: "up-2" });
		const tool = chatTranscript([chunk({ content: "Let me look" }), chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: "" } }] })]);
		expect(tool.continuable).toBe(false);
		expect(chatTranscript([chunk({ reasoning_content: "hmm" })]).continuable).toBe(false);
		expect(chatTranscript([chunk({ content: "done" }, "stop")]).continuable).toBe(false);
	});

	it("Anthropic events: the open text block, and the index the next would take", () => {
		const events = [
			{ type: "message_start", message: { id: "msg_1", model: "claude" } },
			{ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
			{ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hmm" } },
			{ type: "content_block_stop", index: 0 },
			{ type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
			{ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hello" } },
		].map((e) => JSON.stringify(e));
		const resumed = resumeAnthropic(events);
		expect(resumed.transcript).toEqual({ text: "Hello", continuable: true, id: "msg_1" });
		const mapper = resumed.fromChat?.();
		const out = [chunk({ content: " world" }), chunk({}, "stop"), "[DONE]"].map((data) => mapper?.map({ event: undefined, data }) ?? "").join("");
		expect(sseEvents(out).map((e) => JSON.parse(e.data))).toEqual([
			{ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: " world" } },
			{ type: "content_block_stop", index: 1 },
			expect.objectContaining({ type: "message_delta" }),
			{ type: "message_stop" },
		]);
		expect(resumeAnthropic(events.slice(0, 3)).transcript.continuable).toBe(false);
	});
});

describe("the request that continues", () => {
	const chat = { model: "m", messages: [{ role: "user" as const, content: "tell" }], max_tokens: 100 };

	it("prefills the delivered text (trailing space trimmed) where the upstream takes a prefill", () => {
		expect(continuedChat(chat, "Once upon a ", true).messages.at(-1)).toEqual({ role: "assistant", content: "Once upon a" });
	});

	it("otherwise asks to continue after the delivered text, within what is left of max_tokens", () => {
		const next = continuedChat(chat, "Once upon a time", false);
		expect(next.messages.slice(-2)).toEqual([
			{ role: "assistant", content: "Once upon a time" },
			{ role: "user", content: "Continue exactly where you stopped; do not repeat anything." },
		]);
		expect(next.max_tokens).toBe(96);
	});

	it("is the request itself when nothing was delivered yet", () => {
		expect(continuedChat(chat, "", false).messages).toEqual(chat.messages);
	});
});
