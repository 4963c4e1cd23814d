import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import { as, signedInUser } from "../support/apps";
import { auditRows, awaitAudit } from "../support/audit";
import { admin, createKey } from "../support/gateway";

const DAY = 86_400_000;
const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY).toISOString();

/** Runs the 10-minute upkeep cron at `now`; returns the key notifications it sent. */
async function upkeep(now = Date.now()): Promise<Extract<Notification, { key_id: number | null }>[]> {
	const sent: Notification[] = [];
	const notify = {
		async sendBatch(messages: { body: Notification }[]) {
			for (const m of messages) sent.push(m.body);
		},
		async send(body: Notification) {
			sent.push(body);
		},
	};
	await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/10 * * * *" }), { ...env, NOTIFY_QUEUE: notify } as unknown as Env);
	return sent.flatMap((n) => ("key_id" in n ? [n] : []));
}

interface KeyView {
	id: number;
	expires_at: string | null;
	expiring_soon: boolean;
	auto_rotate: boolean;
}

const view = async (id: number) => (await admin("GET", `/api/tokens/${id}`)).json<KeyView>();

describe("key expiry reminders", () => {
	it("remind once of a key expiring within KEY_EXPIRY_REMINDER_DAYS, by notification and audit entry, and mark it in the key view", async () => {
		const soon = await createKey({ expires_at: inDays(3) });
		const later = await createKey({ expires_at: inDays(30) });
		expect((await view(soon.id)).expiring_soon).toBe(true);
		expect((await view(later.id)).expiring_soon).toBe(false);

		const first = await upkeep();
		const mine = first.filter((n) => n.key_id === soon.id || n.key_id === later.id);
		expect(mine).toHaveLength(1);
		expect(mine[0]).toMatchObject({ type: "key.expiring", key_id: soon.id, user_id: 1 });
		expect(mine[0]?.reason).toContain("expires at");

		expect((await upkeep()).filter((n) => n.key_id === soon.id)).toHaveLength(0);
		const entries = await awaitAudit("key.expiring", soon.id, 1);
		expect(entries).toHaveLength(1);
		expect(entries[0]?.actor_type).toBe("system");
		expect(await auditRows("key.expiring", later.id)).toHaveLength(0);

		// A new expiry is reminded of anew.
		expect((await admin("PATCH", `/api/tokens/${soon.id}`, { expires_at: inDays(5) })).status).toBe(200);
		expect((await upkeep()).filter((n) => n.key_id === soon.id).map((n) => n.type)).toEqual(["key.expiring"]);
	});

	it("renew a key with auto_rotate instead: its expiry moves on by its lifetime, its secret stays, its owner hears of it", async () => {
		const user = await signedInUser();
		const created = Date.now();
		const res = await as(user.session, "POST", "/api/tokens", { name: "renewed", expires_at: inDays(20, created), auto_rotate: true });
		expect(res.status).toBe(201);
		const { id, key } = await res.json<{ id: number; key: string }>();
		expect((await view(id)).auto_rotate).toBe(true);

		// Not yet due: nothing.
		expect((await upkeep()).filter((n) => n.key_id === id)).toHaveLength(0);
		// Due (15 days on, 5 left): renewed by its 20-day lifetime, once.
		const at = created + 15 * DAY;
		const sent = (await upkeep(at)).filter((n) => n.key_id === id);
		expect(sent.map((n) => n.type)).toEqual(["key.rotated"]);
		const renewed = Date.parse((await view(id)).expires_at ?? "");
		expect(Math.abs(renewed - (created + 40 * DAY))).toBeLessThan(60_000);
		expect((await upkeep(at)).filter((n) => n.key_id === id)).toHaveLength(0);
		const entries = await awaitAudit("key.update", id, 1);
		expect(entries[0]?.actor_type).toBe("system");
		// Renewed again by the same lifetime, not a growing one.
		expect((await upkeep(created + 35 * DAY)).filter((n) => n.key_id === id).map((n) => n.type)).toEqual(["key.rotated"]);
		expect(Math.abs(Date.parse((await view(id)).expires_at ?? "") - (created + 60 * DAY))).toBeLessThan(60_000);
		// The same secret still works (as the key itself on /api).
		expect((await as(key, "GET", `/api/tokens/${id}`)).status).toBe(200);
		expect(await auditRows("key.expiring", id)).toHaveLength(0);
	});

	it("only reminds of a key whose expiry the operator bounded, even with auto_rotate: renewing would loosen it", async () => {
		const { id } = await createKey({ expires_at: inDays(2), auto_rotate: true });
		expect((await upkeep()).filter((n) => n.key_id === id).map((n) => n.type)).toEqual(["key.expiring"]);
		expect(Math.abs(Date.parse((await view(id)).expires_at ?? "") - (Date.now() + 2 * DAY))).toBeLessThan(60_000);
	});
});
