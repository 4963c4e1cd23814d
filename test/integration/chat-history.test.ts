// The dashboard's Chat page reads the conversation store through /api/conversations: whichever API wrote a
// conversation (stored Responses, Dify's apps), its turns come back grouped, with tokens, cost, sources, feedback.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { startSession } from "../../src/auth/sessions";
import { toStoredItem } from "../../src/conversations/items";
import { turnStatements } from "../../src/conversations/turns";
import { admin, call, createChannel, createKey, readSse, uid, upstream } from "../support/gateway";

interface Summary {
	id: string;
	name: string | null;
	named: boolean;
	user_id: number;
	app_id: string | null;
	key_id: number | null;
	turns: number;
	snippet: string | null;
}
interface Page {
	data: Summary[];
	next_cursor: string | null;
}
interface Turn {
	id: string;
	model: string;
	input_tokens: number;
	output_tokens: number;
	cost_usd: number;
	latency_ms: number;
	sources: Record<string, unknown>[];
	feedback: { rating: string | null; content: string | null };
}
interface Thread {
	id: string;
	name: string | null;
	parts: { turn: Turn | null; items: { id: string; type: string; role?: string; name?: string; content?: { text: string }[] }[] }[];
}

async function newUser(): Promise<{ id: number; token: string; key: { id: number; key: string } }> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`ch-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	const { token } = await startSession(env, { userId: user.id }, env.ENCRYPTION_KEY);
	return { id: user.id, token, key: await createKey({ user_id: user.id }) };
}

const as = (token: string, method: string, path: string, body?: unknown) =>
	call(path, {
		method,
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});

const source = {
	position: 1,
	dataset_id: "vs_1",
	dataset_name: "Handbook",
	document_id: "file_1",
	document_name: "leave.md",
	segment_id: "12",
	score: 0.82,
	content: "Staff get 25 days of annual leave.",
};

/** A conversation with one turn per question, written as the Responses and Dify routes write them. */
async function seed(
	ownerId: number,
	turns: { q: string; a: string; tool?: boolean }[],
	extra: { appId?: string; keyId?: number; name?: string; updatedAt?: number } = {},
): Promise<{ id: string; turnIds: string[] }> {
	const id = `conv_${uid()}${uid()}`;
	await env.DB.prepare("INSERT INTO conversations (id, owner_id, app_id, key_id, name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
		.bind(id, ownerId, extra.appId ?? null, extra.keyId ?? null, extra.name ?? null, extra.updatedAt ?? Date.now())
		.run();
	const turnIds: string[] = [];
	for (const [n, t] of turns.entries()) {
		const turnId = `resp_${uid()}${uid()}`;
		turnIds.push(turnId);
		const tool = t.tool
			? [
					toStoredItem({ type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }, "t"),
					toStoredItem({ type: "function_call_output", call_id: "call_1", output: '{"temp":18}' }, "t"),
				]
			: [];
		const items = [toStoredItem({ role: "user", content: t.q }, "q"), ...tool, toStoredItem({ role: "assistant", content: t.a }, "a")];
		await env.DB.batch(
			turnStatements(env.DB, {
				id: turnId,
				conversationId: id,
				ownerId,
				model: "gpt-4o-mini",
				status: "completed",
				inputTokens: 100 + n,
				outputTokens: 20,
				costNusd: 1_500_000,
				latencyMs: 640,
				sources: n === 0 ? [source] : [],
				items,
			}),
		);
	}
	if (extra.updatedAt !== undefined) await env.DB.prepare("UPDATE conversations SET updated_at = ?2 WHERE id = ?1").bind(id, extra.updatedAt).run();
	return { id, turnIds };
}

describe("/api/conversations (the Chat page)", () => {
	let alice: Awaited<ReturnType<typeof newUser>>;
	let bob: Awaited<ReturnType<typeof newUser>>;
	let leave: { id: string; turnIds: string[] };
	let weather: { id: string; turnIds: string[] };
	beforeAll(async () => {
		alice = await newUser();
		bob = await newUser();
		const now = Date.now();
		leave = await seed(
			alice.id,
			[
				{ q: "How many vacation days do I get?", a: "You get 25 days of annual leave." },
				{ q: "Can I carry them over?", a: "Up to five days." },
			],
			{ keyId: alice.key.id, updatedAt: now - 1000 },
		);
		weather = await seed(alice.id, [{ q: "What's the weather in Paris?", a: "18 degrees and sunny.", tool: true }], {
			appId: "app_weather",
			name: "Paris trip",
			updatedAt: now,
		});
		await seed(bob.id, [{ q: "Bob's private vacation question", a: "Bob's answer" }]);
	});

	it("lists a user's own conversations, last active first, named by title or first message", async () => {
		const res = await as(alice.token, "GET", "/api/conversations");
		expect(res.status).toBe(200);
		const page = await res.json<Page>();
		expect(page.data.map((c) => c.id)).toEqual([weather.id, leave.id]);
		expect(page.data[0]).toMatchObject({ name: "Paris trip", named: true, app_id: "app_weather", turns: 1, snippet: null });
		expect(page.data[1]).toMatchObject({ name: "How many vacation days do I get?", named: false, key_id: alice.key.id, turns: 2 });
	});

	it("filters by app or key, and pages with a cursor", async () => {
		const byApp = await (await as(alice.token, "GET", "/api/conversations?app_id=app_weather")).json<Page>();
		expect(byApp.data.map((c) => c.id)).toEqual([weather.id]);
		const byKey = await (await as(alice.token, "GET", `/api/conversations?key_id=${alice.key.id}`)).json<Page>();
		expect(byKey.data.map((c) => c.id)).toEqual([leave.id]);
		const first = await (await as(alice.token, "GET", "/api/conversations?limit=1")).json<Page>();
		expect(first.data.map((c) => c.id)).toEqual([weather.id]);
		expect(first.next_cursor).not.toBeNull();
		const second = await (await as(alice.token, "GET", `/api/conversations?limit=1&cursor=${first.next_cursor}`)).json<Page>();
		expect(second).toEqual({ data: [expect.objectContaining({ id: leave.id })], next_cursor: null });
		expect((await as(alice.token, "GET", "/api/conversations?cursor=nonsense")).status).toBe(400);
	});

	it("searches message text through FTS5 (stemmed, prefix on the last word) and titles, and shows the matching passage", async () => {
		const byText = await (await as(alice.token, "GET", "/api/conversations?q=annual")).json<Page>();
		expect(byText.data.map((c) => c.id)).toEqual([leave.id]);
		expect(byText.data[0]?.snippet).toContain("annual leave");
		const stemmedPrefix = await (await as(alice.token, "GET", "/api/conversations?q=vacat")).json<Page>();
		expect(stemmedPrefix.data.map((c) => c.id)).toEqual([leave.id]);
		const byTitle = await (await as(alice.token, "GET", "/api/conversations?q=trip")).json<Page>();
		expect(byTitle.data.map((c) => c.id)).toEqual([weather.id]);
		// Every word must be there; none of FTS5's syntax reaches it.
		expect((await (await as(alice.token, "GET", "/api/conversations?q=annual%20Paris")).json<Page>()).data).toEqual([]);
		for (const q of ['"', "NEAR(a b)", "annual OR", "*", "a:b", "100%", "-"]) {
			const res = await as(alice.token, "GET", `/api/conversations?q=${encodeURIComponent(q)}`);
			expect(res.status, q).toBe(200);
		}
	});

	it("never lists or finds another user's conversations; the operator sees everyone's and may narrow to one user", async () => {
		const mine = await (await as(alice.token, "GET", "/api/conversations?q=vacation")).json<Page>();
		expect(mine.data.map((c) => c.id)).toEqual([leave.id]);
		const bobs = await (await as(bob.token, "GET", "/api/conversations")).json<Page>();
		expect(bobs.data.map((c) => c.user_id)).toEqual([bob.id]);
		for (const [method, path, body] of [
			["GET", `/api/conversations/${leave.id}`, undefined],
			["PATCH", `/api/conversations/${leave.id}`, { name: "mine now" }],
			["DELETE", `/api/conversations/${leave.id}`, undefined],
			["PUT", `/api/conversations/${leave.id}/turns/${leave.turnIds[0]}/feedback`, { rating: "dislike" }],
		] as const) {
			const res = await as(bob.token, method, path, body);
			expect(res.status, `${method} ${path}`).toBe(404);
		}
		expect((await as(bob.token, "GET", `/api/conversations?user_id=${alice.id}`)).status).toBe(403);

		const operator = await (await admin("GET", `/api/conversations?user_id=${alice.id}`)).json<Page>();
		expect(operator.data.map((c) => c.id)).toEqual([weather.id, leave.id]);
		expect((await admin("GET", `/api/conversations/${leave.id}`)).status).toBe(200);
		// Alice's conversation was left as it was.
		const thread = await (await as(alice.token, "GET", `/api/conversations/${leave.id}`)).json<Thread>();
		expect(thread.name).toBe("How many vacation days do I get?");
		expect(thread.parts[0]?.turn?.feedback.rating).toBeNull();
	});

	it("shows the thread grouped by turn with tokens, cost in USD, latency, sources and tool calls", async () => {
		const res = await as(alice.token, "GET", `/api/conversations/${leave.id}`);
		expect(res.status).toBe(200);
		const thread = await res.json<Thread>();
		expect(thread.parts.map((p) => p.turn?.id)).toEqual(leave.turnIds);
		expect(thread.parts[0]?.turn).toMatchObject({
			model: "gpt-4o-mini",
			input_tokens: 100,
			output_tokens: 20,
			cost_usd: 0.0015,
			latency_ms: 640,
			sources: [source],
		});
		expect(thread.parts[0]?.items.map((i) => [i.role, i.content?.[0]?.text])).toEqual([
			["user", "How many vacation days do I get?"],
			["assistant", "You get 25 days of annual leave."],
		]);
		const tools = await (await as(alice.token, "GET", `/api/conversations/${weather.id}`)).json<Thread>();
		expect(tools.parts[0]?.items.map((i) => i.type)).toEqual(["message", "function_call", "function_call_output", "message"]);
		expect(tools.parts[0]?.items[1]).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
	});

	it("renames, takes feedback on a turn (and clears it), and a key may read but not write", async () => {
		const renamed = await as(alice.token, "PATCH", `/api/conversations/${leave.id}`, { name: "  Leave policy  " });
		expect(renamed.status).toBe(200);
		expect(await renamed.json()).toMatchObject({ id: leave.id, name: "Leave policy", named: true });
		const turn = leave.turnIds[1];
		const liked = await as(alice.token, "PUT", `/api/conversations/${leave.id}/turns/${turn}/feedback`, { rating: "like", content: "clear" });
		expect(await liked.json()).toEqual({ rating: "like", content: "clear" });
		let thread = await (await as(alice.token, "GET", `/api/conversations/${leave.id}`)).json<Thread>();
		expect(thread.name).toBe("Leave policy");
		expect(thread.parts[1]?.turn?.feedback).toEqual({ rating: "like", content: "clear" });
		await as(alice.token, "PUT", `/api/conversations/${leave.id}/turns/${turn}/feedback`, { rating: null, content: "ignored" });
		thread = await (await as(alice.token, "GET", `/api/conversations/${leave.id}`)).json<Thread>();
		expect(thread.parts[1]?.turn?.feedback).toEqual({ rating: null, content: null });

		expect((await as(alice.token, "PUT", `/api/conversations/${leave.id}/turns/${weather.turnIds[0]}/feedback`, { rating: "like" })).status).toBe(404);
		expect((await as(alice.token, "PUT", `/api/conversations/${leave.id}/turns/${turn}/feedback`, { rating: "meh" })).status).toBe(400);
		expect((await as(alice.token, "PATCH", `/api/conversations/${leave.id}`, { name: " " })).status).toBe(400);
		expect((await as(alice.key.key, "GET", `/api/conversations/${leave.id}`)).status).toBe(200);
		expect((await as(alice.key.key, "PATCH", `/api/conversations/${leave.id}`, { name: "x" })).status).toBe(403);
	});

	it("deletes a conversation with its turns and items; it is then gone from lists and search", async () => {
		const doomed = await seed(alice.id, [{ q: "zebra crossing rules", a: "Stop for pedestrians." }]);
		const res = await as(alice.token, "DELETE", `/api/conversations/${doomed.id}`);
		expect(await res.json()).toEqual({ id: doomed.id, deleted: true });
		expect((await as(alice.token, "GET", `/api/conversations/${doomed.id}`)).status).toBe(404);
		expect((await (await as(alice.token, "GET", "/api/conversations?q=zebra")).json<Page>()).data).toEqual([]);
		const left = await env.DB.prepare(
			"SELECT (SELECT count(*) FROM conversation_turns WHERE conversation_id = ?1) + (SELECT count(*) FROM conversation_items WHERE conversation_id = ?1) AS n",
		)
			.bind(doomed.id)
			.first<{ n: number }>();
		expect(left?.n).toBe(0);
	});

	it("starts an empty conversation for one of the user's keys, and streams a message into it as /v1/responses answers it", async () => {
		const started = await as(alice.token, "POST", "/api/conversations", { key_id: alice.key.id, name: "New chat" });
		expect(started.status).toBe(201);
		const conversation = await started.json<Summary>();
		expect(conversation).toMatchObject({ name: "New chat", key_id: alice.key.id, user_id: alice.id });
		const byKey = await (await as(alice.token, "GET", `/api/conversations?key_id=${alice.key.id}`)).json<Page>();
		expect(byKey.data.map((c) => c.id)).toContain(conversation.id);
		// Another user's key is not there to start one for, and a key may not start one for another.
		expect((await as(bob.token, "POST", "/api/conversations", { key_id: alice.key.id })).status).toBe(404);
		expect((await as(alice.key.key, "POST", "/api/conversations", { key_id: alice.key.id })).status).toBe(403);

		const model = `chat-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const res = await as(alice.token, "POST", `/api/playground/responses?token_id=${alice.key.id}`, { model, input: "hi", stream: true });
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const types = events.map((e) => (e as { type: string }).type);
		expect(types).toContain("response.output_text.delta");
		expect(types.at(-1)).toBe("response.completed");
		expect((await as(bob.token, "POST", `/api/playground/responses?token_id=${alice.key.id}`, { model, input: "hi" })).status).toBe(404);

		// In the conversation: the turn is kept there, and the thread shows it with what it took.
		const streamed = await as(alice.token, "POST", `/api/playground/responses?token_id=${alice.key.id}`, {
			model,
			input: "What is on the menu?",
			conversation: conversation.id,
			stream: true,
		});
		expect(streamed.status).toBe(200);
		const completed = (await readSse(streamed)).events.at(-1) as { type: string; response: { id: string } };
		expect(completed.type).toBe("response.completed");
		const thread = await (await as(alice.token, "GET", `/api/conversations/${conversation.id}`)).json<Thread>();
		expect(thread.parts.map((p) => p.turn?.id)).toEqual([completed.response.id]);
		expect(thread.parts[0]?.turn).toMatchObject({ model });
		expect(thread.parts[0]?.turn?.output_tokens).toBeGreaterThan(0);
		expect(thread.parts[0]?.items.map((i) => [i.type, i.role])).toEqual([
			["message", "user"],
			["message", "assistant"],
		]);
		const found = await (await as(alice.token, "GET", "/api/conversations?q=menu")).json<Page>();
		expect(found.data.map((c) => c.id)).toEqual([conversation.id]);
	});

	it("refuses an app key as the key a page acts as: it works only at /dify/v1 (the playground, the Chat page)", async () => {
		const model = `app-only-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const app = await (await admin("POST", "/api/apps", { name: `app-${uid()}`, model, user_id: alice.id })).json<{ id: string }>();
		const appKey = await (await admin("POST", `/api/apps/${app.id}/keys`, {})).json<{ id: number }>();
		const chatRefused = await as(alice.token, "POST", `/api/playground/chat/completions?token_id=${appKey.id}`, {
			model,
			messages: [{ role: "user", content: "hi" }],
		});
		const refused = [
			chatRefused,
			await as(alice.token, "POST", `/api/playground/responses?token_id=${appKey.id}`, { model, input: "hi" }),
			await as(alice.token, "GET", `/api/playground/models?token_id=${appKey.id}`),
			await as(alice.token, "POST", "/api/conversations", { key_id: appKey.id }),
		];
		expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
		expect((await chatRefused.json<{ error: { message: string } }>()).error.message).toContain("/dify/v1");
	});
});
