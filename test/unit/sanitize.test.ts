import { describe, expect, it } from "vitest";
import { answerExcerpt, redactSecrets, shownUrl, upstreamMessage } from "../../src/lib/sanitize";

describe("upstream error sanitizing", () => {
	it("keeps the message of an OpenAI-style error but not the key inside it", () => {
		const body = JSON.stringify({ error: { message: "Incorrect API key provided: sk-proj-abcdefghijklmnop1234. You can find your key at…" } });
		const message = upstreamMessage(body);
		expect(message).toContain("Incorrect API key provided");
		expect(message).not.toContain("abcdefghijklmnop");
	});

	it("redacts bearer tokens and long opaque strings", () => {
		expect(redactSecrets("Authorization: Bearer abc.def.ghi failed")).not.toContain("abc.def.ghi");
		expect(redactSecrets(`token ${"A1b2".repeat(10)} rejected`)).toBe("token [redacted] rejected");
	});

	it("turns an HTML error page into short plain text", () => {
		const message = upstreamMessage(`<html><body><h1>502 Bad Gateway</h1>${"x ".repeat(400)}</body></html>`);
		expect(message.startsWith("502 Bad Gateway")).toBe(true);
		expect(message.length).toBeLessThanOrEqual(301);
	});
});

describe("what the channel test shows", () => {
	it("shows a URL without the credentials an operator may have pasted into it", () => {
		expect(shownUrl("https://user:pa55@proxy.example/v1beta/models/m:generateContent?key=AIzaSyA-secret&alt=sse")).toBe(
			"https://proxy.example/v1beta/models/m:generateContent?key=redacted&alt=sse",
		);
		expect(shownUrl("https://res.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21")).toBe(
			"https://res.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21",
		);
	});

	it("bounds an answer's excerpt and redacts what looks like a key", () => {
		const excerpt = answerExcerpt(JSON.stringify({ echo: "sk-proj-abcdefghijklmnop1234", text: "word ".repeat(400) }));
		expect(excerpt).not.toContain("abcdefghijklmnop");
		expect(excerpt.endsWith("…")).toBe(true);
		expect(excerpt.length).toBe(501);
	});
});
