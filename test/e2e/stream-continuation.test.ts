// The openai SDK under wrangler dev reads a stream the gateway continued on another channel after the first broke
// off mid-way: one answer, the whole story, no error.
import OpenAI from "openai";
import { expect, inject, it } from "vitest";
import { STORY } from "../support/story";
import { adminApi } from "./admin-api";

it("the openai SDK streams one whole answer across a channel that dies mid-way", async () => {
	const upstreamUrl = inject("upstreamUrl");
	const model = `story-e2e-${crypto.randomUUID().slice(0, 8)}`;
	const channel = (name: string, scenario: string, priority: number) =>
		adminApi("POST", "/api/channels", {
			name,
			type: "openai",
			base_url: `${upstreamUrl}/e2e-continue/${scenario}/v1`,
			key: "sk-e2e",
			models: [model],
			priority,
		});
	await channel(`${model}-dies`, "story-cut-20", 2);
	await channel(`${model}-continues`, "story", 1);
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-continuation" });
	const sdk = new OpenAI({ apiKey: key, baseURL: `${inject("gatewayUrl")}/v1`, maxRetries: 0 });
	const stream = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "tell the story" }], stream: true });
	let text = "";
	for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
	expect(text).toBe(STORY.join(""));
});
