import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startSession } from "../../src/auth/sessions";
import { summariseIdle } from "../../src/conversations/summarise";
import { call, createKey, uid } from "../support/gateway";

const HOUR = 3_600_000;

/** A user with an app (memory mode as given) and one conversation of its end user `ann`, last active `idleMs` ago. */
async function seed(memoryMode: "off" | "read" | "read_write", idleMs: number) {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`sum-${uid()}`).first<{ id: number }>();
	const ownerId = user?.id ?? 0;
	const { id: keyId } = await createKey({ user_id: ownerId });
	const appId = `app-${uid()}`;
	const conversationId = `conv_${uid()}`;
	const at = Date.now() - idleMs;
	const item = (id: string, role: string, type: string, text: string) =>
		env.DB.prepare("INSERT INTO conversation_items (id, conversation_id, owner_id, type, role, item) VALUES (?1, ?2, ?3, 'message', ?4, ?5)").bind(
			id,
			conversationId,
			ownerId,
			role,
			JSON.stringify({ id, type: "message", role, content: [{ type, text }] }),
		);
	await env.DB.batch([
		env.DB.prepare("INSERT INTO apps (id, owner_id, name, model, memory_mode) VALUES (?1, ?2, 'Helper', 'mock-chat', ?3)").bind(appId, ownerId, memoryMode),
		env.DB.prepare("INSERT INTO conversations (id, owner_id, app_id, end_user, key_id, created_at, updated_at) VALUES (?1, ?2, ?3, 'ann', ?4, ?5, ?5)").bind(
			conversationId,
			ownerId,
			appId,
			keyId,
			at,
		),
		item(`msg_u${uid()}`, "user", "input_text", "I am planning a trip to Lisbon in May."),
		item(`msg_a${uid()}`, "assistant", "output_text", "Lisbon in May is lovely."),
	]);
	return { ownerId, conversationId };
}

const events = (ownerId: number) =>
	env.DB.prepare("SELECT payload FROM memory_events WHERE owner_id = ?1")
		.bind(ownerId)
		.all<{ payload: string }>()
		.then((r) =>
			r.results.map(
				(e) => JSON.parse(e.payload) as { source: string; conversation_id: string; message: { kind: string; entities: unknown; messages: unknown[] } },
			),
		);

describe("finished conversations of a chat app with memory on are summed up into memory", () => {
	it("queues one summary of an idle conversation about its end user, once, and again after a new turn", async () => {
		const { ownerId, conversationId } = await seed("read_write", 2 * HOUR);
		await summariseIdle(env, Date.now());
		const [event, ...more] = await events(ownerId);
		expect(more).toEqual([]);
		expect(event).toMatchObject({ source: "conversation", conversation_id: conversationId, message: { kind: "summary", entities: { user_id: "ann" } } });
		expect(event?.message.messages).toEqual([
			{ role: "user", content: "I am planning a trip to Lisbon in May." },
			{ role: "assistant", content: "Lisbon in May is lovely." },
		]);
		await summariseIdle(env, Date.now());
		expect(await events(ownerId)).toHaveLength(1);
		// A later turn makes it due again once it is idle again.
		await env.DB.prepare("UPDATE conversations SET updated_at = ?2 WHERE id = ?1")
			.bind(conversationId, Date.now() + 1000)
			.run();
		await summariseIdle(env, Date.now() + 2 * HOUR);
		expect(await events(ownerId)).toHaveLength(2);
	});

	it("leaves alone a conversation still active, and one of an app whose memory is off or read only", async () => {
		const active = await seed("read_write", 60_000);
		const off = await seed("off", 2 * HOUR);
		const read = await seed("read", 2 * HOUR);
		await summariseIdle(env, Date.now());
		for (const { ownerId } of [active, off, read]) expect(await events(ownerId)).toEqual([]);
	});
});

describe("POST /api/conversations/{id}/summarize: a summary asked for from the dashboard", () => {
	const ask = async (userId: number, conversationId: string) => {
		const { token } = await startSession(env, { userId }, env.ENCRYPTION_KEY);
		return call(`/api/conversations/${conversationId}/summarize`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
	};

	it("queues a summary now, even of one summed up before, for its owner only", async () => {
		const { ownerId, conversationId } = await seed("read_write", 60_000);
		const first = await ask(ownerId, conversationId);
		expect(first.status).toBe(202);
		const { event_id } = await first.json<{ event_id: string }>();
		expect((await events(ownerId)).map((e) => e.message.kind)).toEqual(["summary"]);
		expect((await ask(ownerId, conversationId)).status).toBe(202);
		expect(await events(ownerId)).toHaveLength(2);
		expect(event_id).toMatch(/^[0-9a-f-]{36}$/);
		const stranger = await seed("read_write", 60_000);
		expect((await ask(stranger.ownerId, conversationId)).status).toBe(404);
	});

	it("refuses a conversation whose app does not keep memories, saying why", async () => {
		const { ownerId, conversationId } = await seed("read", 60_000);
		const res = await ask(ownerId, conversationId);
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/memory_mode is read_write/);
		expect(await events(ownerId)).toEqual([]);
	});
});
