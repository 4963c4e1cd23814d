// An alias against wrangler dev with the real openai SDK: its first model's only channel fails, the second model
// answers, the answer says so, and the SDK never sees an error.
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { readChatStream } from "./chat-stream";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");

let sdk: OpenAI;

beforeAll(async () => {
	await adminApi("POST", "/api/channels", {
		name: "alias-first-broken",
		type: "openai",
		base_url: `${upstreamUrl}/e2e-alias/status-500/v1`,
		key: "sk-e2e-alias-broken",
		models: ["alias-first-e2e"],
	});
	await adminApi("POST", "/api/channels", {
		name: "alias-second-ok",
		type: "openai",
		base_url: `${upstreamUrl}/e2e-alias/ok/v1`,
		key: "sk-e2e-alias-ok",
		models: ["alias-second-e2e"],
	});
	await adminApi("PUT", "/api/models/smart-e2e", { chain: ["alias-first-e2e", "alias-second-e2e"], policy: "round_robin" });
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-alias" });
	sdk = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
});

describe("a model alias through the openai SDK", () => {
	it("is listed among the models", async () => {
		const models = [];
		for await (const m of sdk.models.list()) models.push(m.id);
		expect(models).toEqual(expect.arrayContaining(["smart-e2e", "alias-second-e2e"]));
	});

	it("is answered by the chain's second model when the first one's channel fails", async () => {
		const { data, response } = await sdk.chat.completions.create({ model: "smart-e2e", messages: [{ role: "user", content: "hi" }] }).withResponse();
		expect(data.model).toBe("alias-second-e2e");
		expect(data.choices[0]?.message.content).toBe("Hi there, from the upstream.");
		expect(response.headers.get("x-gateway-model")).toBe("alias-second-e2e");
	});

	it("streams from the second model too", async () => {
		const stream = await sdk.chat.completions.create({ model: "smart-e2e", stream: true, messages: [{ role: "user", content: "hi" }] });
		const { text } = await readChatStream(stream);
		expect(text).toBe("Hi there, from the upstream.");
	});
});
