import { describe, expect, it } from "vitest";
import { leaveStop } from "../../src/conversations/running-turns";
import { appWithKey } from "../support/apps";
import { type DifyEvent, dify, difyEvents, userWithKey } from "../support/dify";
import { createChannel, uid, upstream, usageRow } from "../support/gateway";

/** Reads a Dify stream until its first `message` event, then hands back that event and a way to read the rest. */
async function untilFirstMessage(res: Response) {
	const reader = res.body?.getReader();
	if (!reader) throw new Error("no body");
	const decoder = new TextDecoder();
	let raw = "";
	for (;;) {
		const { done, value } = await reader.read();
		if (done) throw new Error("the stream ended before a message");
		raw += decoder.decode(value, { stream: true });
		const first = difyEvents(raw.slice(0, raw.lastIndexOf("\n\n") + 2)).find((e) => e.event === "message");
		if (first) {
			const rest = async () => {
				for (;;) {
					const next = await reader.read();
					if (next.done) return difyEvents(raw);
					raw += decoder.decode(next.value, { stream: true });
				}
			};
			return { first, rest };
		}
	}
}

describe("POST /dify/v1/chat-messages/{task_id}/stop", () => {
	it("stops a streamed answer: it ends with message_end, and the turn is kept as stopped and billed for what was produced", async () => {
		const model = `dify-slow-${uid()}`;
		await createChannel({ base_url: upstream(`dify-stop-${uid()}`, "slow"), models: [model] });
		const { key } = await appWithKey((await userWithKey()).userId, { model });
		const res = await dify(key, "POST", "/chat-messages", { inputs: {}, query: "Talk slowly", user: "u1", response_mode: "streaming" });
		expect(res.status).toBe(200);
		const { first, rest } = await untilFirstMessage(res);

		// Another end user cannot stop it; Dify answers success all the same.
		expect(await (await dify(key, "POST", `/chat-messages/${first.task_id}/stop`, { user: "u2" })).json()).toEqual({ result: "success" });
		const stop = await dify(key, "POST", `/chat-messages/${first.task_id}/stop`, { user: "u1" });
		expect(stop.status).toBe(200);
		expect(await stop.json()).toEqual({ result: "success" });

		const events = await rest();
		const end = events.at(-1) as DifyEvent;
		expect(end.event).toBe("message_end");
		const answer = events
			.filter((e) => e.event === "message")
			.map((e) => e.answer)
			.join("");
		expect(answer.length).toBeLessThan("Hi there, from the upstream.".length);
		const messages = await dify(key, "GET", `/messages?user=u1&conversation_id=${end.conversation_id}`);
		expect(await messages.json()).toMatchObject({ data: [{ id: end.message_id, query: "Talk slowly", answer, status: "stopped" }] });
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ partial: 1, status: 499 });
		expect(row.completion_tokens).toBe(end.metadata?.usage.completion_tokens);
	});

	it("stops an answer streaming in another isolate through the stop it leaves in the data center's cache", async () => {
		const model = `dify-slow-${uid()}`;
		await createChannel({ base_url: upstream(`dify-stop-${uid()}`, "slow-long"), models: [model] });
		const owner = await userWithKey();
		const { app, key } = await appWithKey(owner.userId, { model });
		const res = await dify(key, "POST", "/chat-messages", { inputs: {}, query: "Talk slowly", user: "u1", response_mode: "streaming" });
		const { first, rest } = await untilFirstMessage(res);
		// What the stop route does when the task is not running in its own isolate.
		await leaveStop(first.task_id ?? "", { ownerId: owner.userId, appId: app.id, endUser: "u1" });
		const events = await rest();
		const end = events.at(-1) as DifyEvent;
		expect(end.event).toBe("message_end");
		// Stopped a second or so in: far from the forty words of the whole answer.
		expect(events.filter((e) => e.event === "message").length).toBeLessThan(30);
		const messages = await dify(key, "GET", `/messages?user=u1&conversation_id=${end.conversation_id}`);
		expect(await messages.json()).toMatchObject({ data: [{ status: "stopped" }] });
	});

	it("answers success for a task that is not running, and 400 without a user", async () => {
		const { key } = await appWithKey((await userWithKey()).userId, { model: "mock-chat" });
		expect(await (await dify(key, "POST", "/chat-messages/no-such-task/stop", { user: "u1" })).json()).toEqual({ result: "success" });
		const missing = await dify(key, "POST", "/chat-messages/no-such-task/stop", {});
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ code: "invalid_param" });
	});
});
