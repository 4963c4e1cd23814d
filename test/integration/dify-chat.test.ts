import { beforeAll, describe, expect, it } from "vitest";
import { appWithKey } from "../support/apps";
import { ask, type DifyEvent, dify, difyEvents, userWithKey } from "../support/dify";
import { admin, call, createChannel, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

interface Sent {
	messages: { role: string; content: unknown }[];
}

describe("POST /dify/v1/chat-messages", () => {
	const tag = `dify-${uid()}`;
	const model = `dify-model-${uid()}`;
	let owner: { userId: number; key: string; keyId: number };
	let key: string;
	beforeAll(async () => {
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 2, output_usd_per_mtok: 4 })).status).toBe(200);
		owner = await userWithKey();
		({ key } = await appWithKey(owner.userId, { model, system_prompt: "You help {{name}}." }));
	});

	it("answers a blocking message in Dify's shape, billed at the model's price, with the system prompt filled from inputs", async () => {
		const res = await dify(key, "POST", "/chat-messages", { inputs: { name: "Ada" }, query: "Hello", user: "u1", response_mode: "blocking" });
		expect(res.status).toBe(200);
		const body = await res.json<Record<string, unknown> & { conversation_id: string; message_id: string }>();
		expect(body).toMatchObject({ event: "message", mode: "chat", answer: "Hi there, from the upstream." });
		expect(body.conversation_id).toMatch(/^conv_/);
		expect(body.id).toBe(body.message_id);
		expect(body.metadata).toEqual({
			usage: {
				prompt_tokens: 11,
				prompt_unit_price: "2",
				prompt_price_unit: "0.000001",
				prompt_price: "0.000022",
				completion_tokens: 7,
				completion_unit_price: "4",
				completion_price_unit: "0.000001",
				completion_price: "0.000028",
				total_tokens: 18,
				total_price: "0.00005",
				currency: "USD",
				latency: expect.any(Number),
			},
			retriever_resources: [],
		});
		const [sent] = (await upstreamLog(tag)).map((r) => r.body as unknown as Sent);
		expect(sent?.messages).toEqual([
			{ role: "system", content: "You help Ada." },
			{ role: "user", content: "Hello" },
		]);
		// Billed like any key of the owner: the usage row is the app key's, at the same cost.
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ user_id: owner.userId, cost_nusd: 50_000, prompt_tokens: 11, completion_tokens: 7 });
	});

	it("streams a follow-up in the same conversation as Dify's events, with the history, and keeps the turn before message_end", async () => {
		const first = await ask(key, { inputs: { name: "Bo" }, query: "First question", user: "u2" });
		const res = await dify(key, "POST", "/chat-messages", {
			inputs: { name: "ignored: a conversation keeps its first inputs" },
			query: "Second question",
			user: "u2",
			response_mode: "streaming",
			conversation_id: first.conversation_id,
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const raw = await res.text();
		expect(raw).not.toContain("[DONE]");
		const events = difyEvents(raw);
		const end = events.at(-1) as DifyEvent;
		expect(end.event).toBe("message_end");
		expect(end.conversation_id).toBe(first.conversation_id);
		expect(end.metadata?.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_price: "0.00005", currency: "USD" });
		const pieces = events.filter((e) => e.event === "message");
		expect(pieces.map((e) => e.answer).join("")).toBe("Hi there, from the upstream.");
		expect(new Set(events.map((e) => e.message_id))).toEqual(new Set([end.message_id]));
		expect(new Set(events.map((e) => e.task_id)).size).toBe(1);

		const sent = (await upstreamLog(tag)).map((r) => r.body as unknown as Sent).at(-1);
		expect(sent?.messages).toEqual([
			{ role: "system", content: "You help Bo." },
			{ role: "user", content: "First question" },
			{ role: "assistant", content: "Hi there, from the upstream." },
			{ role: "user", content: "Second question" },
		]);
		// Read-your-writes: the turn is there the instant message_end has arrived.
		const messages = await dify(key, "GET", `/messages?user=u2&conversation_id=${first.conversation_id}`);
		const list = await messages.json<{ data: { id: string; query: string }[] }>();
		expect(list.data.map((m) => [m.id, m.query])).toEqual([
			[first.message_id, "First question"],
			[end.message_id, "Second question"],
		]);
	});

	it("keeps the turn as OpenAI message items of the same conversation, for the owner's ordinary keys", async () => {
		const turn = await ask(key, { query: "Through both APIs", user: "u3" });
		const res = await call(`/v1/conversations/${turn.conversation_id}/items?order=asc`, { headers: { authorization: `Bearer ${owner.key}` } });
		expect(res.status).toBe(200);
		const items = await res.json<{ data: { type: string; role: string; content: { type: string; text: string }[] }[] }>();
		expect(items.data.map((i) => [i.role, i.content[0]?.type, i.content[0]?.text])).toEqual([
			["user", "input_text", "Through both APIs"],
			["assistant", "output_text", "Hi there, from the upstream."],
		]);
	});

	it("answers errors as Dify does: 401 unauthorized, 400 invalid_param, 404 for another end user's conversation", async () => {
		const ordinary = await dify(owner.key, "POST", "/chat-messages", { inputs: {}, query: "hi", user: "u1" });
		expect(ordinary.status).toBe(401);
		expect(await ordinary.json()).toEqual({ code: "unauthorized", message: expect.any(String), status: 401 });
		expect((await call("/dify/v1/chat-messages", { method: "POST", body: "{}" })).status).toBe(401);

		const missing = await dify(key, "POST", "/chat-messages", { inputs: {}, user: "u1" });
		expect(missing.status).toBe(400);
		expect(await missing.json()).toMatchObject({ code: "invalid_param", status: 400 });
		const badJson = await call("/dify/v1/chat-messages", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: "{not json",
		});
		expect(badJson.status).toBe(400);
		expect(await badJson.json()).toMatchObject({ code: "invalid_param", status: 400 });

		const mine = await ask(key, { query: "Mine", user: "alice" });
		for (const conversation_id of [mine.conversation_id, "conv_doesnotexist"]) {
			const res = await dify(key, "POST", "/chat-messages", { inputs: {}, query: "Let me in", user: "mallory", conversation_id });
			expect(res.status).toBe(404);
			expect(await res.json()).toEqual({ code: "not_found", message: "Conversation Not Exists.", status: 404 });
		}
	});

	it("passes an upstream's 429 on in Dify's format, and a stream broken off ends with an error event, the turn kept as failed", async () => {
		const limited = `dify-429-${uid()}`;
		await createChannel({ base_url: upstream(`${tag}-429`, "status-429"), models: [limited] });
		const app = await appWithKey(owner.userId, { model: limited });
		const res = await dify(app.key, "POST", "/chat-messages", { inputs: {}, query: "hi", user: "u1" });
		expect(res.status).toBe(429);
		expect(await res.json()).toMatchObject({ code: "too_many_requests", status: 429 });

		const cut = `dify-cut-${uid()}`;
		await createChannel({ base_url: upstream(`${tag}-cut`, "cut"), models: [cut] });
		const broken = await appWithKey(owner.userId, { model: cut });
		const stream = await dify(broken.key, "POST", "/chat-messages", { inputs: {}, query: "hi", user: "u1", response_mode: "streaming" });
		const events = difyEvents(await stream.text());
		const last = events.at(-1) as DifyEvent;
		expect(last).toMatchObject({ event: "error", status: 502 });
		const list = await dify(broken.key, "GET", `/messages?user=u1&conversation_id=${last.conversation_id}`);
		expect(await list.json()).toMatchObject({ data: [{ query: "hi", status: "error" }] });
	});
});
