import { describe, expect, it } from "vitest";
import { redactSecrets, upstreamMessage } from "../../src/lib/sanitize";

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
