// The real dify-client (ChatClient, DifyClient; unchanged) against the gateway's /dify/v1 under wrangler dev, in the
// order a user meets it: an app and its key made through /api/apps with the operator's token, a blocking message, a
// streamed one in the same conversation, the conversation and its messages listed, renamed (by hand and by the
// model), rated; a second end user and another gateway user's app seeing none of it; a streamed answer stopped; the
// conversation deleted. The app's model is the seeded offline mock channel's.
import type { Readable } from "node:stream";
import { AxiosError } from "axios";
import { ChatClient, DifyClient } from "dify-client";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";

const base = `${inject("gatewayUrl")}/dify/v1`;

interface DifyEvent {
	event: string;
	task_id: string;
	message_id: string;
	conversation_id: string;
	answer?: string;
	metadata?: { usage: { total_tokens: number; total_price: string; currency: string } };
}

/** An app of a new gateway user's, and an app key for it. */
async function appKey(name: string): Promise<string> {
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: `${name}-${crypto.randomUUID().slice(0, 8)}` });
	const app = await adminApi<{ id: string }>("POST", "/api/apps", {
		name,
		model: "mock-chat",
		system_prompt: "You help {{name}}.",
		opening_statement: "Ask me anything.",
		suggested_questions: ["What can you do?"],
		user_id: user.id,
	});
	return (await adminApi<{ key: string }>("POST", `/api/apps/${app.id}/keys`, { name: "dify-e2e" })).key;
}

/** Dify's SSE events from axios's stream (dify-client asks for `responseType: "stream"`), read as they arrive. */
async function* events(stream: Readable): AsyncGenerator<DifyEvent> {
	let buffered = "";
	for await (const chunk of stream) {
		buffered += String(chunk);
		for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
			const block = buffered.slice(0, end);
			buffered = buffered.slice(end + 2);
			const data = block.split("\n").find((l) => l.startsWith("data: "));
			if (data) yield JSON.parse(data.slice(6)) as DifyEvent;
		}
	}
}

async function statusOf(work: Promise<unknown>): Promise<number | undefined> {
	try {
		await work;
		return 200;
	} catch (err) {
		if (err instanceof AxiosError) return err.response?.status;
		throw err;
	}
}

let key: string;
let chat: ChatClient;
let stranger: ChatClient;
const user = `end-user-${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
	key = await appKey("dify-e2e");
	chat = new ChatClient(key, base);
	stranger = new ChatClient(await appKey("dify-stranger"), base);
});

describe("dify-client against wrangler dev", () => {
	let conversationId: string;

	it("reads the app's parameters", async () => {
		const res = await new DifyClient(key, base).getApplicationParameters(user);
		expect(res.data).toMatchObject({ opening_statement: "Ask me anything.", suggested_questions: ["What can you do?"] });
	});

	it("answers a blocking message, then a streamed one in the same conversation, with usage at the end", async () => {
		const first = await chat.createChatMessage({ name: "Ada" }, "What is a gateway?", user);
		expect(first.data).toMatchObject({ event: "message", mode: "chat" });
		expect(first.data.answer).toContain("What is a gateway?");
		conversationId = first.data.conversation_id;

		const res = await chat.createChatMessage({}, "And a relay?", user, true, conversationId);
		let answer = "";
		let end: DifyEvent | undefined;
		for await (const e of events(res.data)) {
			if (e.event === "message") answer += e.answer ?? "";
			if (e.event === "message_end") end = e;
		}
		expect(answer).toContain("And a relay?");
		expect(end?.conversation_id).toBe(conversationId);
		expect(end?.metadata?.usage).toMatchObject({ currency: "USD" });
		expect(end?.metadata?.usage.total_tokens).toBeGreaterThan(0);
	});

	it("lists the conversation and its messages in order", async () => {
		const conversations = await chat.getConversations(user);
		expect(conversations.data.data.map((c: { id: string }) => c.id)).toEqual([conversationId]);
		const messages = await chat.getConversationMessages(user, conversationId);
		expect(messages.data.data.map((m: { query: string }) => m.query)).toEqual(["What is a gateway?", "And a relay?"]);
	});

	it("renames the conversation by hand and by the model, and takes feedback", async () => {
		expect((await chat.renameConversation(conversationId, "Gateways", user)).data).toMatchObject({ name: "Gateways" });
		const titled = await chat.sendRequest("POST", `/conversations/${conversationId}/name`, { auto_generate: true, user });
		expect(titled.data.name).toMatch(/mock/);
		const messages = await chat.getConversationMessages(user, conversationId);
		const last = messages.data.data.at(-1) as { id: string };
		expect((await chat.messageFeedback(last.id, "like" as unknown as number, user)).data).toEqual({ result: "success" });
		const rated = await chat.getConversationMessages(user, conversationId);
		expect(rated.data.data.at(-1)).toMatchObject({ feedback: { rating: "like" } });
	});

	it("shows a second end user nothing, and another gateway user's app key gets 404 on the conversation", async () => {
		expect((await chat.getConversations("someone-else")).data.data).toEqual([]);
		expect(await statusOf(chat.getConversationMessages("someone-else", conversationId))).toBe(404);
		expect(await statusOf(stranger.getConversationMessages(user, conversationId))).toBe(404);
		expect(await statusOf(stranger.deleteConversation(conversationId, user))).toBe(404);
	});

	it("stops a streamed answer, which is kept as far as it went", async () => {
		const res = await chat.createChatMessage({}, "Tell me a long story", user, true, conversationId);
		let answer = "";
		let stopped = false;
		let end: DifyEvent | undefined;
		for await (const e of events(res.data)) {
			if (e.event === "message") {
				answer += e.answer ?? "";
				if (!stopped) {
					stopped = true;
					expect((await chat.sendRequest("POST", `/chat-messages/${e.task_id}/stop`, { user })).data).toEqual({ result: "success" });
				}
			}
			if (e.event === "message_end") end = e;
		}
		expect(end?.event).toBe("message_end");
		const messages = await chat.getConversationMessages(user, conversationId);
		expect(messages.data.data.at(-1)).toMatchObject({ id: end?.message_id, answer, status: "stopped" });
	});

	it("deletes the conversation", async () => {
		expect(await statusOf(chat.deleteConversation(conversationId, user))).toBe(200);
		expect((await chat.getConversations(user)).data.data).toEqual([]);
		expect(await statusOf(chat.getConversationMessages(user, conversationId))).toBe(404);
	});
});
