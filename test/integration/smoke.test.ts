import { describe, expect, it } from "vitest";
import { chat, scenario, upstream, uid, usageRow } from "../support/gateway";

describe("smoke", () => {
	it("relays a chat completion through an openai channel", async () => {
		const tag = uid();
		const { model, key } = await scenario([{ base_url: upstream(tag, "ok"), key: "sk-upstream-secret-1" }]);
		const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
		expect(res.status).toBe(200);
		const body = await res.json<{ choices: { message: { content: string } }[] }>();
		expect(body.choices[0]?.message.content).toBe("Hi there, from the upstream.");
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row.prompt_tokens).toBe(11);
	});
});
