import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { authenticate } from "../../src/relay/callers";
import { as, signedInUser } from "../support/apps";
import { awaitAudit } from "../support/audit";
import { admin, chat, createKey, scenario, upstream, usageRow } from "../support/gateway";

interface Rotated {
	id: number;
	key: string;
	key_prefix: string;
	previous_key_prefix: string | null;
	previous_key_expires_at: string | null;
	request_count: number;
	rpm: number | null;
}

const HOUR = 3_600_000;

async function rotate(id: number, body: unknown = {}): Promise<Rotated> {
	const res = await admin("POST", `/api/tokens/${id}/rotate`, body);
	expect(res.status).toBe(200);
	return res.json<Rotated>();
}

describe("key rotation", () => {
	it("gives the key a new secret, keeps the old one working for the grace and not after, on the same key id", async () => {
		const { model } = await scenario([{ base_url: upstream("rotate", "ok") }]);
		const { id, key: first } = await createKey({ rpm: 1000 });
		const ask = async (key: string) => {
			const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
			expect(res.status).toBe(200);
			return usageRow(res.headers.get("x-request-id") ?? "");
		};
		await ask(first);

		const before = Date.now();
		const rotated = await rotate(id, { grace_hours: 1 });
		expect(rotated.id).toBe(id);
		expect(rotated.key).toMatch(/^sk-gw_[0-9A-Za-z]{46}$/);
		expect(rotated.key).not.toBe(first);
		expect(rotated.previous_key_prefix).toBe(`${first.slice(0, 10)}…`);
		expect(rotated.key_prefix).toBe(`${rotated.key.slice(0, 10)}…`);
		const graceEnds = Date.parse(rotated.previous_key_expires_at ?? "");
		expect(graceEnds).toBeGreaterThanOrEqual(before + HOUR);
		expect(graceEnds).toBeLessThan(before + HOUR + 60_000);
		expect(rotated.rpm).toBe(1000);

		// Both work during the grace, and their usage is the same key's.
		expect((await ask(first)).token_id).toBe(id);
		expect((await ask(rotated.key)).token_id).toBe(id);
		const view = await (await admin("GET", `/api/tokens/${id}`)).json<Rotated>();
		expect(view.request_count).toBe(3);
		expect(view.previous_key_prefix).toBe(rotated.previous_key_prefix);

		// Once the grace is over the old secret is refused, the new one is not.
		await expect(authenticate(env, first, graceEnds + 1)).rejects.toMatchObject({ code: "invalid_api_key" });
		expect((await authenticate(env, rotated.key, graceEnds + 1)).keyId).toBe(id);

		// The upkeep cron forgets the previous secret once its grace is over.
		await worker.scheduled(createScheduledController({ scheduledTime: graceEnds + 1, cron: "*/10 * * * *" }), env);
		const cleared = await (await admin("GET", `/api/tokens/${id}`)).json<Rotated>();
		expect(cleared.previous_key_prefix).toBeNull();
		expect(cleared.previous_key_expires_at).toBeNull();
		// Past the 15 s cache of the lookup above: the old secret no longer finds the key at all.
		await expect(authenticate(env, first, graceEnds + 60_000)).rejects.toMatchObject({ code: "invalid_api_key" });
		await awaitAudit("key.rotate", id, 1);
	});

	it("with grace_hours 0 the old secret stops at once; rotating again ends the older one", async () => {
		const { model } = await scenario([{ base_url: upstream("rotate-now", "ok") }]);
		const { id, key: first } = await createKey();
		const second = await rotate(id, { grace_hours: 1 });
		const third = await rotate(id, { grace_hours: 0 });
		expect(third.previous_key_prefix).toBeNull();
		const status = async (key: string) => (await chat(key, { model, messages: [{ role: "user", content: "hi" }] })).status;
		expect(await status(first)).toBe(401);
		expect(await status(second.key)).toBe(401);
		expect(await status(third.key)).toBe(200);
		const entries = await awaitAudit("key.rotate", id, 2);
		expect(entries).toHaveLength(2);
		expect(entries.map((e) => e.actor_type)).toEqual(["operator", "operator"]);
	});

	it("defaults the grace to KEY_ROTATION_GRACE_HOURS", async () => {
		const { id } = await createKey();
		const before = Date.now();
		const rotated = await rotate(id);
		const hours = Number(env.KEY_ROTATION_GRACE_HOURS ?? 24);
		expect(Date.parse(rotated.previous_key_expires_at ?? "") - before).toBeGreaterThanOrEqual(hours * HOUR - 1000);
	});

	it("is a person's: a key may not rotate itself, and a user rotates only their own keys", async () => {
		const { id, key } = await createKey();
		const self = await as(key, "POST", `/api/tokens/${id}/rotate`, {});
		expect(self.status).toBe(403);

		const user = await signedInUser();
		const own = await as(user.session, "POST", "/api/tokens", { name: "mine" });
		const mine = await own.json<{ id: number }>();
		const rotated = await as(user.session, "POST", `/api/tokens/${mine.id}/rotate`, { grace_hours: 0 });
		expect(rotated.status).toBe(200);
		expect((await as(user.session, "POST", `/api/tokens/${id}/rotate`, {})).status).toBe(404);
		const entries = await awaitAudit("key.rotate", mine.id, 1);
		expect(entries[0]?.actor_type).toBe("user");
		expect(entries[0]?.diff ?? "").not.toContain((await rotated.json<Rotated>()).key);
	});

	it("refuses a negative grace", async () => {
		const { id } = await createKey();
		const res = await admin("POST", `/api/tokens/${id}/rotate`, { grace_hours: -1 });
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { param: string } }>()).error.param).toBe("grace_hours");
	});
});
