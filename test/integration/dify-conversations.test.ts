import { beforeAll, describe, expect, it } from "vitest";
import { appWithKey } from "../support/apps";
import { ask, dify, userWithKey } from "../support/dify";
import { createChannel, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

interface Conversation {
	id: string;
	name: string;
	inputs: Record<string, string>;
	status: string;
	introduction: string;
	created_at: number;
	updated_at: number;
}
interface Page<T> {
	limit: number;
	has_more: boolean;
	data: T[];
}
interface Message {
	id: string;
	conversation_id: string;
	query: string;
	answer: string;
	feedback: { rating: string } | null;
	created_at: number;
}

describe("Dify's conversations and messages at /dify/v1", () => {
	const tag = `difyc-${uid()}`;
	const model = `difyc-model-${uid()}`;
	let key: string;
	let sameOwnersOtherApp: string;
	let strangersApp: string;
	beforeAll(async () => {
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		const owner = await userWithKey();
		({ key } = await appWithKey(owner.userId, { model, opening_statement: "Welcome!" }));
		sameOwnersOtherApp = (await appWithKey(owner.userId, { model })).key;
		strangersApp = (await appWithKey((await userWithKey()).userId, { model })).key;
	});

	it("lists the end user's conversations most recently active first, in pages", async () => {
		const user = `lister-${uid()}`;
		const a = await ask(key, { query: "Conversation A", user, inputs: { topic: "a" } });
		const b = await ask(key, { query: "Conversation B", user });
		const c = await ask(key, { query: "Conversation C", user });
		// A turn in A makes it the most recent.
		await ask(key, { query: "Back to A", user, conversation_id: a.conversation_id });

		const all = await (await dify(key, "GET", `/conversations?user=${user}`)).json<Page<Conversation>>();
		expect(all.data.map((x) => x.id)).toEqual([a.conversation_id, c.conversation_id, b.conversation_id]);
		expect(all).toMatchObject({ limit: 20, has_more: false });
		expect(all.data[0]).toMatchObject({ name: "Conversation A", inputs: { topic: "a" }, status: "normal", introduction: "Welcome!" });

		const first = await (await dify(key, "GET", `/conversations?user=${user}&limit=2`)).json<Page<Conversation>>();
		expect(first.data.map((x) => x.id)).toEqual([a.conversation_id, c.conversation_id]);
		expect(first.has_more).toBe(true);
		const next = await (await dify(key, "GET", `/conversations?user=${user}&limit=2&last_id=${c.conversation_id}`)).json<Page<Conversation>>();
		expect(next.data.map((x) => x.id)).toEqual([b.conversation_id]);
		expect(next.has_more).toBe(false);
		expect((await dify(key, "GET", `/conversations?user=${user}&limit=101`)).status).toBe(400);
		expect((await dify(key, "GET", "/conversations")).status).toBe(400);
	});

	it("lists a conversation's messages oldest first, paging backwards with first_id", async () => {
		const user = `reader-${uid()}`;
		const one = await ask(key, { query: "one", user });
		const conversation_id = one.conversation_id;
		const two = await ask(key, { query: "two", user, conversation_id });
		const three = await ask(key, { query: "three", user, conversation_id });

		const latest = await (await dify(key, "GET", `/messages?user=${user}&conversation_id=${conversation_id}&limit=2`)).json<Page<Message>>();
		expect(latest.data.map((m) => m.query)).toEqual(["two", "three"]);
		expect(latest.data.map((m) => m.id)).toEqual([two.message_id, three.message_id]);
		expect(latest.has_more).toBe(true);
		expect(latest.data[0]).toMatchObject({ conversation_id, answer: "Hi there, from the upstream.", feedback: null });
		const older = await (await dify(key, "GET", `/messages?user=${user}&conversation_id=${conversation_id}&limit=2&first_id=${two.message_id}`)).json<
			Page<Message>
		>();
		expect(older.data.map((m) => m.id)).toEqual([one.message_id]);
		expect(older.has_more).toBe(false);
		expect((await dify(key, "GET", `/messages?user=${user}`)).status).toBe(400);
	});

	it("renames a conversation, or has the app's model title it", async () => {
		const user = `namer-${uid()}`;
		const turn = await ask(key, { query: "Tell me about tides", user });
		const renamed = await dify(key, "POST", `/conversations/${turn.conversation_id}/name`, { name: "Tides", user });
		expect(renamed.status).toBe(200);
		expect(await renamed.json()).toMatchObject({ id: turn.conversation_id, name: "Tides" });

		const before = (await upstreamLog(tag)).length;
		const titled = await dify(key, "POST", `/conversations/${turn.conversation_id}/name`, { auto_generate: true, user });
		expect(titled.status).toBe(200);
		// The mock upstream's answer, without the final full stop a title does not have.
		expect(await titled.json()).toMatchObject({ name: "Hi there, from the upstream" });
		// Billed to the app key like a chat of its own.
		expect(await usageRow(titled.headers.get("x-request-id") ?? "")).toMatchObject({ endpoint: "/dify/v1/conversations/name", status: 200 });
		const asked = (await upstreamLog(tag)).slice(before);
		expect(JSON.stringify(asked[0]?.body)).toContain("Tell me about tides");
		const list = await (await dify(key, "GET", `/conversations?user=${user}`)).json<Page<Conversation>>();
		expect(list.data[0]?.name).toBe("Hi there, from the upstream");

		expect((await dify(key, "POST", `/conversations/${turn.conversation_id}/name`, { user })).status).toBe(400);
	});

	it("takes feedback on a message, and takes it back", async () => {
		const user = `rater-${uid()}`;
		const turn = await ask(key, { query: "Rate me", user });
		const liked = await dify(key, "POST", `/messages/${turn.message_id}/feedbacks`, { rating: "like", user, content: "great" });
		expect(liked.status).toBe(200);
		expect(await liked.json()).toEqual({ result: "success" });
		const messages = () => dify(key, "GET", `/messages?user=${user}&conversation_id=${turn.conversation_id}`).then((r) => r.json<Page<Message>>());
		expect((await messages()).data[0]?.feedback).toEqual({ rating: "like" });
		await dify(key, "POST", `/messages/${turn.message_id}/feedbacks`, { rating: null, user });
		expect((await messages()).data[0]?.feedback).toBeNull();
		expect((await dify(key, "POST", `/messages/${turn.message_id}/feedbacks`, { rating: "love", user })).status).toBe(400);
	});

	it("deletes a conversation with its messages", async () => {
		const user = `deleter-${uid()}`;
		const turn = await ask(key, { query: "Forget me", user });
		const res = await dify(key, "DELETE", `/conversations/${turn.conversation_id}`, { user });
		expect(res.status).toBe(204);
		expect((await dify(key, "GET", `/messages?user=${user}&conversation_id=${turn.conversation_id}`)).status).toBe(404);
		expect((await (await dify(key, "GET", `/conversations?user=${user}`)).json<Page<Conversation>>()).data).toEqual([]);
		expect((await dify(key, "DELETE", `/conversations/${turn.conversation_id}`, { user })).status).toBe(404);
		expect((await dify(key, "DELETE", `/conversations/${turn.conversation_id}`)).status).toBe(400);
	});

	it("shows an end user nothing of another's, and an app nothing of another app's, even of the same owner", async () => {
		const user = `owner-${uid()}`;
		const turn = await ask(key, { query: "Private", user });
		const notFound = { code: "not_found", message: "Conversation Not Exists.", status: 404 };
		for (const [k, u] of [
			[key, "someone-else"],
			[sameOwnersOtherApp, user],
			[strangersApp, user],
		] as const) {
			expect((await (await dify(k, "GET", `/conversations?user=${u}`)).json<Page<Conversation>>()).data).toEqual([]);
			const messages = await dify(k, "GET", `/messages?user=${u}&conversation_id=${turn.conversation_id}`);
			expect(messages.status).toBe(404);
			expect(await messages.json()).toEqual(notFound);
			expect((await dify(k, "POST", `/conversations/${turn.conversation_id}/name`, { name: "Mine now", user: u })).status).toBe(404);
			expect((await dify(k, "POST", `/messages/${turn.message_id}/feedbacks`, { rating: "dislike", user: u })).status).toBe(404);
			expect((await dify(k, "DELETE", `/conversations/${turn.conversation_id}`, { user: u })).status).toBe(404);
		}
		expect((await dify(key, "GET", `/messages?user=${user}&conversation_id=${turn.conversation_id}`)).status).toBe(200);
	});

	it("answers the app's parameters and meta", async () => {
		const res = await dify(key, "GET", "/parameters?user=x");
		expect(await res.json()).toMatchObject({
			opening_statement: "Welcome!",
			suggested_questions: [],
			suggested_questions_after_answer: { enabled: false },
			retriever_resource: { enabled: false },
			user_input_form: [],
			file_upload: { image: { enabled: true, transfer_methods: ["remote_url", "local_file"] } },
		});
		expect(await (await dify(key, "GET", "/meta")).json()).toEqual({ tool_icons: {} });
	});
});
