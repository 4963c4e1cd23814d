import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createKey, uid } from "../support/gateway";

interface Conversation {
	id: string;
	object: string;
	created_at: number;
	metadata: Record<string, string>;
}
interface Item {
	id: string;
	type: string;
	role?: string;
	status: string;
	content?: { type: string; text: string }[];
	call_id?: string;
}
interface ItemList {
	object: string;
	data: Item[];
	first_id: string | null;
	last_id: string | null;
	has_more: boolean;
}
interface ErrorBody {
	error: { type: string; message: string; param: string | null };
}

const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
const send = (key: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { ...auth(key), "Content-Type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

async function keyOfNewUser(): Promise<string> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`conv-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return (await createKey({ user_id: user.id })).key;
}

async function create(key: string, body: unknown): Promise<Conversation> {
	const res = await send(key, "POST", "/v1/conversations", body);
	expect(res.status).toBe(200);
	return res.json<Conversation>();
}

const text = (role: string, t: string) => ({ type: "message", role, content: t });

describe("/v1/conversations", () => {
	let key: string;
	let other: string;
	beforeAll(async () => {
		key = await keyOfNewUser();
		other = await keyOfNewUser();
	});

	it("creates a conversation with metadata and items, and retrieves it", async () => {
		const before = Math.floor(Date.now() / 1000);
		const conv = await create(key, { metadata: { topic: "demo" }, items: [text("user", "Hello"), { role: "assistant", content: "Hi!" }] });
		expect(conv).toMatchObject({ object: "conversation", metadata: { topic: "demo" } });
		expect(conv.id).toMatch(/^conv_/);
		expect(conv.created_at).toBeGreaterThanOrEqual(before - 1);
		const got = await (await send(key, "GET", `/v1/conversations/${conv.id}`)).json<Conversation>();
		expect(got).toEqual(conv);

		const items = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?order=asc`)).json<ItemList>();
		expect(items.object).toBe("list");
		expect(items.has_more).toBe(false);
		expect(items.data.map((i) => [i.type, i.role, i.status, i.content])).toEqual([
			["message", "user", "completed", [{ type: "input_text", text: "Hello" }]],
			["message", "assistant", "completed", [{ type: "output_text", text: "Hi!", annotations: [] }]],
		]);
		expect(items.data[0]?.id).toMatch(/^msg_/);
		expect(items.first_id).toBe(items.data[0]?.id);
		expect(items.last_id).toBe(items.data[1]?.id);
	});

	it("creates an empty conversation with {} metadata", async () => {
		const conv = await create(key, {});
		expect(conv.metadata).toEqual({});
		const items = await (await send(key, "GET", `/v1/conversations/${conv.id}/items`)).json<ItemList>();
		expect(items).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
	});

	it("updates the metadata", async () => {
		const conv = await create(key, { metadata: { a: "1" } });
		const res = await send(key, "POST", `/v1/conversations/${conv.id}`, { metadata: { b: "2" } });
		expect(res.status).toBe(200);
		expect((await res.json<Conversation>()).metadata).toEqual({ b: "2" });
		expect((await (await send(key, "GET", `/v1/conversations/${conv.id}`)).json<Conversation>()).metadata).toEqual({ b: "2" });
	});

	it("deletes a conversation and its items", async () => {
		const conv = await create(key, { items: [text("user", "bye")] });
		const res = await send(key, "DELETE", `/v1/conversations/${conv.id}`);
		expect(await res.json()).toEqual({ id: conv.id, object: "conversation.deleted", deleted: true });
		expect((await send(key, "GET", `/v1/conversations/${conv.id}`)).status).toBe(404);
		expect((await send(key, "GET", `/v1/conversations/${conv.id}/items`)).status).toBe(404);
	});

	it("adds items of each kind, retrieves and deletes one", async () => {
		const conv = await create(key, { items: [text("user", "What is the weather?")] });
		const added = await send(key, "POST", `/v1/conversations/${conv.id}/items`, {
			items: [
				{ type: "function_call", call_id: "call_1", name: "weather", arguments: "{}" },
				{ type: "function_call_output", call_id: "call_1", output: "sunny" },
				text("assistant", "Sunny."),
			],
		});
		expect(added.status).toBe(200);
		const list = await added.json<ItemList>();
		expect(list.data.map((i) => i.type)).toEqual(["function_call", "function_call_output", "message"]);
		expect(list.data[0]?.id).toMatch(/^fc_/);

		const call = list.data[0];
		if (!call) throw new Error("no item");
		const got = await (await send(key, "GET", `/v1/conversations/${conv.id}/items/${call.id}`)).json<Item>();
		expect(got).toEqual(call);

		const deleted = await send(key, "DELETE", `/v1/conversations/${conv.id}/items/${call.id}`);
		expect(await deleted.json()).toEqual(conv);
		expect((await send(key, "GET", `/v1/conversations/${conv.id}/items/${call.id}`)).status).toBe(404);
		expect((await send(key, "DELETE", `/v1/conversations/${conv.id}/items/${call.id}`)).status).toBe(404);
		const rest = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?order=asc`)).json<ItemList>();
		expect(rest.data.map((i) => i.type)).toEqual(["message", "function_call_output", "message"]);
	});

	it("pages items with after, limit and order", async () => {
		const conv = await create(key, { items: Array.from({ length: 5 }, (_, i) => text("user", `m${i}`)) });
		const texts = (l: ItemList) => l.data.map((i) => i.content?.[0]?.text);
		const first = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?limit=2`)).json<ItemList>();
		expect(texts(first)).toEqual(["m4", "m3"]);
		expect(first.has_more).toBe(true);
		const second = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?limit=2&after=${first.last_id}`)).json<ItemList>();
		expect(texts(second)).toEqual(["m2", "m1"]);
		const last = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?limit=2&after=${second.last_id}`)).json<ItemList>();
		expect(texts(last)).toEqual(["m0"]);
		expect(last.has_more).toBe(false);
		const asc = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?order=asc&limit=3&include=message.output_text.logprobs`)).json<ItemList>();
		expect(texts(asc)).toEqual(["m0", "m1", "m2"]);
	});

	it("hides one user's conversations from another (404, unchanged)", async () => {
		const conv = await create(key, { metadata: { owner: "me" }, items: [text("user", "secret")] });
		const items = await (await send(key, "GET", `/v1/conversations/${conv.id}/items`)).json<ItemList>();
		const itemId = items.data[0]?.id;
		const attempts = [
			send(other, "GET", `/v1/conversations/${conv.id}`),
			send(other, "POST", `/v1/conversations/${conv.id}`, { metadata: { owner: "thief" } }),
			send(other, "DELETE", `/v1/conversations/${conv.id}`),
			send(other, "GET", `/v1/conversations/${conv.id}/items`),
			send(other, "POST", `/v1/conversations/${conv.id}/items`, { items: [text("user", "injected")] }),
			send(other, "GET", `/v1/conversations/${conv.id}/items/${itemId}`),
			send(other, "DELETE", `/v1/conversations/${conv.id}/items/${itemId}`),
		];
		for (const res of await Promise.all(attempts)) {
			expect(res.status).toBe(404);
			expect((await res.json<ErrorBody>()).error.type).toBe("not_found_error");
		}
		expect(await (await send(key, "GET", `/v1/conversations/${conv.id}`)).json()).toEqual(conv);
		const after = await (await send(key, "GET", `/v1/conversations/${conv.id}/items`)).json<ItemList>();
		expect(after.data.map((i) => i.id)).toEqual([itemId]);
	});

	it("refuses a request without a key", async () => {
		const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
		expect(res.status).toBe(401);
	});

	it("refuses bad input in OpenAI's error format", async () => {
		const conv = await create(key, {});
		const cases: [string, string, unknown, string][] = [
			["POST", "/v1/conversations", { items: Array.from({ length: 21 }, () => text("user", "x")) }, "items"],
			["POST", "/v1/conversations", { items: [{ type: "message", role: "wizard", content: "x" }] }, "items.0.role"],
			["POST", "/v1/conversations", { items: [text("user", "ok"), { type: "web_search_call" }] }, "items.1"],
			["POST", "/v1/conversations", { metadata: { k: 1 } }, "metadata.k"],
			["POST", `/v1/conversations/${conv.id}`, {}, "metadata"],
			["POST", `/v1/conversations/${conv.id}/items`, {}, "items"],
			["POST", `/v1/conversations/${conv.id}/items`, { items: [] }, "items"],
			["POST", `/v1/conversations/${conv.id}/items`, { items: [{ type: "item_reference", id: "msg_1" }] }, "items.0"],
			["GET", `/v1/conversations/${conv.id}/items?limit=0`, undefined, "limit"],
			["GET", `/v1/conversations/${conv.id}/items?order=sideways`, undefined, "order"],
			["GET", `/v1/conversations/${conv.id}/items?after=msg_nope`, undefined, "after"],
		];
		for (const [method, path, body, param] of cases) {
			const res = await send(key, method, path, body);
			expect(res.status, `${method} ${path}`).toBe(400);
			const error = (await res.json<ErrorBody>()).error;
			expect(error.type).toBe("invalid_request_error");
			expect(error.param, `${method} ${path}`).toBe(param);
		}
		const none = await (await send(key, "GET", `/v1/conversations/${conv.id}/items`)).json<ItemList>();
		expect(none.data).toEqual([]);
		expect((await send(key, "GET", "/v1/conversations/conv_missing")).status).toBe(404);
	});
});
