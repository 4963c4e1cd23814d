import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { findResponse, saveWrite } from "../../src/conversations/response-writes";
import { conversationUpkeep } from "../../src/conversations/upkeep";
import type { ResponseObject } from "../../src/protocols/responses/types";
import { call, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";
import { sseEvents } from "../support/outcome";

type Stored = ResponseObject & { store: boolean; previous_response_id: string | null; conversation: { id: string } | null };
interface ItemList {
	object: string;
	data: { id: string; type: string; role?: string; content?: { type: string; text: string }[] }[];
	first_id: string | null;
	last_id: string | null;
	has_more: boolean;
}
type Sent = { role: string; content: unknown }[];

const send = (key: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

async function keyOfNewUser(): Promise<string> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`resp-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return (await createKey({ user_id: user.id })).key;
}

/** The messages the upstream was last sent under `tag`. */
async function lastSent(tag: string): Promise<Sent> {
	return ((await upstreamLog(tag)).at(-1)?.body.messages ?? []) as Sent;
}

describe("stored responses (/v1/responses with store, previous_response_id, conversation)", () => {
	const tag = uid();
	let model = "";
	let key = "";
	let stranger = "";
	beforeAll(async () => {
		model = `state-${uid()}`;
		await createChannel({ type: "openai", base_url: upstream(tag, "ok"), models: [model] });
		key = (await createKey()).key;
		stranger = await keyOfNewUser();
	});

	it("keeps a response by default (store), shows it by id to its owner only, and deletes it", async () => {
		const created = await (await send(key, "POST", "/v1/responses", { model, input: "remember me" })).json<Stored>();
		expect(created).toMatchObject({ store: true, previous_response_id: null, conversation: null });
		const got = await send(key, "GET", `/v1/responses/${created.id}`);
		expect(got.status).toBe(200);
		expect(await got.json()).toEqual(created);
		const theirs = await send(stranger, "GET", `/v1/responses/${created.id}`);
		expect(theirs.status).toBe(404);
		expect((await theirs.json<{ error: { message: string } }>()).error.message).toBe(`Response with id '${created.id}' not found.`);
		expect((await send(stranger, "DELETE", `/v1/responses/${created.id}`)).status).toBe(404);
		const deleted = await send(key, "DELETE", `/v1/responses/${created.id}`);
		expect(await deleted.json()).toEqual({ id: created.id, object: "response", deleted: true });
		expect((await send(key, "GET", `/v1/responses/${created.id}`)).status).toBe(404);
	});

	it("keeps nothing with store false", async () => {
		const created = await (await send(key, "POST", "/v1/responses", { model, input: "forget me", store: false })).json<Stored>();
		expect(created.store).toBe(false);
		expect((await send(key, "GET", `/v1/responses/${created.id}`)).status).toBe(404);
	});

	it("continues previous_response_id: the upstream gets the earlier turns; instructions are not carried over", async () => {
		const first = await (await send(key, "POST", "/v1/responses", { model, instructions: "Be terse.", input: "My name is Ada." })).json<Stored>();
		const second = await (await send(key, "POST", "/v1/responses", { model, previous_response_id: first.id, input: "What is my name?" })).json<Stored>();
		expect(second.previous_response_id).toBe(first.id);
		expect(await lastSent(tag)).toEqual([
			{ role: "user", content: "My name is Ada." },
			{ role: "assistant", content: first.output_text },
			{ role: "user", content: "What is my name?" },
		]);
		await send(key, "POST", "/v1/responses", { model, previous_response_id: second.id, input: [{ role: "user", content: "And again?" }] });
		const third = await lastSent(tag);
		expect(third.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
		expect(third.at(-1)).toEqual({ role: "user", content: "And again?" });
	});

	it("refuses a previous response that is not the caller's, or both previous_response_id and conversation", async () => {
		const mine = await (await send(key, "POST", "/v1/responses", { model, input: "private" })).json<Stored>();
		const theirs = await send(stranger, "POST", "/v1/responses", { model, previous_response_id: mine.id, input: "peek" });
		expect(theirs.status).toBe(404);
		expect((await theirs.json<{ error: { param: string } }>()).error.param).toBe("previous_response_id");
		const both = await send(key, "POST", "/v1/responses", { model, previous_response_id: mine.id, conversation: "conv_x", input: "x" });
		expect(both.status).toBe(400);
		expect((await both.json<{ error: { message: string } }>()).error.message).toMatch(/Mutually exclusive/);
	});

	it("lists a response's own input items, newest first unless asked, with pagination", async () => {
		const input = [
			{ role: "user", content: "one" },
			{ role: "user", content: "two" },
			{ role: "user", content: "three" },
		];
		const created = await (await send(key, "POST", "/v1/responses", { model, input })).json<Stored>();
		const page = await (await send(key, "GET", `/v1/responses/${created.id}/input_items?limit=2`)).json<ItemList>();
		expect(page.data.map((i) => i.content?.[0]?.text)).toEqual(["three", "two"]);
		expect(page.has_more).toBe(true);
		const rest = await (await send(key, "GET", `/v1/responses/${created.id}/input_items?limit=2&after=${page.last_id}`)).json<ItemList>();
		expect(rest.data.map((i) => i.content?.[0]?.text)).toEqual(["one"]);
		expect(rest.has_more).toBe(false);
		const asc = await (await send(key, "GET", `/v1/responses/${created.id}/input_items?order=asc`)).json<ItemList>();
		expect(asc.data.map((i) => i.content?.[0])).toEqual([
			{ type: "input_text", text: "one" },
			{ type: "input_text", text: "two" },
			{ type: "input_text", text: "three" },
		]);
		expect((await send(stranger, "GET", `/v1/responses/${created.id}/input_items`)).status).toBe(404);
	});

	it("keeps a streamed response before its last event: a follow-up sent at once finds it", async () => {
		const res = await send(key, "POST", "/v1/responses", { model, input: "stream and remember", stream: true });
		const events = sseEvents(await res.text()).map((e) => JSON.parse(e.data) as { type: string; response?: Stored });
		const done = events.at(-1);
		expect(done?.type).toBe("response.completed");
		const id = done?.response?.id ?? "";
		const follow = await send(key, "POST", "/v1/responses", { model, previous_response_id: id, input: "and now?" });
		expect(follow.status).toBe(200);
		expect((await lastSent(tag)).slice(0, 2)).toEqual([
			{ role: "user", content: "stream and remember" },
			{ role: "assistant", content: done?.response?.output_text },
		]);
		expect(await (await send(key, "GET", `/v1/responses/${id}`)).json()).toEqual(done?.response);
	});

	it("runs a turn in a conversation: the conversation gets the input and the answer, the next turn gets the history", async () => {
		const conv = await (await send(key, "POST", "/v1/conversations", { items: [{ role: "user", content: "I like tea." }] })).json<{ id: string }>();
		const first = await (await send(key, "POST", "/v1/responses", { model, conversation: conv.id, input: "What do I like?" })).json<Stored>();
		expect(first.conversation).toEqual({ id: conv.id });
		expect(await lastSent(tag)).toEqual([
			{ role: "user", content: "I like tea." },
			{ role: "user", content: "What do I like?" },
		]);
		const items = await (await send(key, "GET", `/v1/conversations/${conv.id}/items?order=asc`)).json<ItemList>();
		expect(items.data.map((i) => [i.role, i.content?.[0]?.type])).toEqual([
			["user", "input_text"],
			["user", "input_text"],
			["assistant", "output_text"],
		]);
		expect(items.data[2]?.content?.[0]?.text).toBe(first.output_text);
		await send(key, "POST", "/v1/responses", { model, conversation: { id: conv.id }, input: "And?" });
		expect((await lastSent(tag)).map((m) => m.role)).toEqual(["user", "user", "assistant", "user"]);
		const turn = await env.DB.prepare("SELECT * FROM conversation_turns WHERE id = ?1")
			.bind(first.id)
			.first<{ model: string; input_tokens: number; status: string }>();
		expect(turn).toMatchObject({ model, status: "completed", input_tokens: first.usage?.input_tokens });
		expect((await send(stranger, "POST", "/v1/responses", { model, conversation: conv.id, input: "peek" })).status).toBe(404);
	});
});

describe("stored responses on channels of other dialects", () => {
	it.each([
		["anthropic", (tag: string) => `${inject("upstreamUrl")}/${tag}/fixture/anthropic/text`],
		["gemini", (tag: string) => `${inject("upstreamUrl")}/${tag}/fixture/gemini/text`],
	])("rebuilds the history for a %s channel", async (type, baseUrl) => {
		const tag = uid();
		const model = `state-${type}-${uid()}`;
		await createChannel({ type, base_url: baseUrl(tag), models: [model] });
		const { key } = await createKey();
		const first = await (await send(key, "POST", "/v1/responses", { model, input: "My name is Ada." })).json<Stored>();
		expect(first.output_text.length).toBeGreaterThan(0);
		const second = await send(key, "POST", "/v1/responses", { model, previous_response_id: first.id, input: "What is my name?" });
		expect(second.status).toBe(200);
		const body = (await upstreamLog(tag)).at(-1)?.body ?? {};
		// Each dialect's own shape: Anthropic's messages with text, Gemini's contents with parts.
		const turns =
			type === "anthropic"
				? (body.messages as { role: string; content: unknown }[]).map((m) => [m.role, JSON.stringify(m.content)])
				: (body.contents as { role: string; parts: unknown }[]).map((m) => [m.role, JSON.stringify(m.parts)]);
		expect(turns.map(([role]) => role)).toEqual(["user", type === "anthropic" ? "assistant" : "model", "user"]);
		expect(turns[0]?.[1]).toContain("My name is Ada.");
		expect(turns[1]?.[1]).toContain(JSON.stringify(first.output_text).slice(1, -1));
		expect(turns[2]?.[1]).toContain("What is my name?");
	});
});

/** The test's bindings with a D1 whose batches all fail, as when D1 is down. */
function d1Down(): Env {
	const DB: D1Database = {
		prepare: (q) => env.DB.prepare(q),
		batch: () => Promise.reject(new Error("D1 is down")),
		exec: (q) => env.DB.exec(q),
		withSession: (c) => env.DB.withSession(c),
		dump: () => env.DB.dump(),
	};
	return { ...env, DB };
}

describe("a stored response D1 refused", () => {
	it("is spooled to R2, read from there at once, and landed in D1 by the cron", async () => {
		const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`spool-${uid()}`).first<{ id: number }>();
		const ownerId = user?.id ?? 0;
		const id = `resp_spool${uid()}`;
		const response = { id, object: "response", status: "completed", output: [], model: "m" };
		await saveWrite(d1Down(), {
			response: { id, ownerId, previousResponseId: null, conversationId: null, input: [], response, expiresAt: null },
			turn: undefined,
		});
		expect(await env.DB.prepare("SELECT id FROM responses WHERE id = ?1").bind(id).first()).toBeNull();
		expect((await findResponse(env, id, ownerId, Date.now()))?.response).toEqual(response);
		expect(await findResponse(env, id, ownerId + 1, Date.now())).toBeUndefined();
		const done = await conversationUpkeep(env, Date.now());
		expect(done.spooled).toBeGreaterThanOrEqual(1);
		expect(await env.DB.prepare("SELECT id FROM responses WHERE id = ?1").bind(id).first()).toEqual({ id });
		expect(await env.FILES.get(`spool/responses/${id}.json`)).toBeNull();
	});

	it("keeps a Dify turn that starts its conversation the same way: spooled whole, landed whole", async () => {
		const conversationId = `conv_spool${uid()}`;
		const scope = { ownerId: 7, appId: `app-${uid()}`, endUser: "ann" };
		const item = { id: `msg_${uid()}`, type: "message" as const, role: "user", item: { id: "x", type: "message", role: "user", content: [] } };
		item.item.id = item.id;
		const turn = {
			id: `msg-${uid()}`,
			conversationId,
			ownerId: 7,
			model: "m",
			status: "completed" as const,
			inputTokens: 1,
			outputTokens: 2,
			costNusd: 3,
			latencyMs: 4,
			sources: [],
			items: [item],
		};
		await saveWrite(d1Down(), { response: undefined, conversation: { id: conversationId, scope, keyId: 1, name: "Hi", inputs: {} }, turn });
		expect(await env.DB.prepare("SELECT id FROM conversations WHERE id = ?1").bind(conversationId).first()).toBeNull();
		await conversationUpkeep(env, Date.now());
		expect(await env.DB.prepare("SELECT app_id, end_user FROM conversations WHERE id = ?1").bind(conversationId).first()).toEqual({
			app_id: scope.appId,
			end_user: "ann",
		});
		expect(await env.DB.prepare("SELECT id, turn_id FROM conversation_items WHERE conversation_id = ?1").bind(conversationId).all()).toMatchObject({
			results: [{ id: item.id, turn_id: turn.id }],
		});
	});

	it("expires after its retention: the cron deletes it", async () => {
		const id = `resp_old${uid()}`;
		await env.DB.prepare("INSERT INTO responses (id, owner_id, input, response, expires_at) VALUES (?1, 1, '[]', '{\"output\":[]}', ?2)")
			.bind(id, Date.now() - 1)
			.run();
		await conversationUpkeep(env, Date.now());
		expect(await env.DB.prepare("SELECT id FROM responses WHERE id = ?1").bind(id).first()).toBeNull();
	});
});
