import { beforeAll, describe, expect, it } from "vitest";
import { appWithKey } from "../support/apps";
import { ask } from "../support/dify";
import { createChannel } from "../support/gateway";
import { newOwner, post } from "../support/mem0-api";

async function remembered(key: string, endUser: string, fact: string): Promise<void> {
	const until = Date.now() + 20_000;
	for (;;) {
		const res = await post(key, "/v3/memories/", { filters: { user_id: endUser } });
		const all = (await res.json<{ results: { memory: string }[] }>()).results.map((r) => r.memory);
		if (all.includes(fact)) return;
		if (Date.now() > until) throw new Error(`'${fact}' was not remembered; memories: ${JSON.stringify(all)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

describe("an app's memory_mode, for its end users", () => {
	let owner: { key: string; userId: number };
	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		owner = await newOwner();
	});

	it("keeps what an end user says (read_write) and answers from it in a new conversation; an app with memory off does not", async () => {
		const remembering = await appWithKey(owner.userId, { model: "mock-chat", memory_mode: "read_write" });
		await ask(remembering.key, { query: "My home city is Lisbon. Any plans for tonight?", user: "dana" });
		// The app's owner's memories, of the end user named by Dify's `user`.
		await remembered(owner.key, "dana", "My home city is Lisbon.");

		const later = await ask(remembering.key, { query: "Which city is my home city?", user: "dana" });
		expect(later.answer).toContain("From what I remember: My home city is Lisbon.");

		const forgetful = await appWithKey(owner.userId, { model: "mock-chat", memory_mode: "off" });
		const plain = await ask(forgetful.key, { query: "Which city is my home city?", user: "dana" });
		expect(plain.answer).not.toContain("From what I remember");
	});
});
