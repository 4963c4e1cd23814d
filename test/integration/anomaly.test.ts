import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Profile } from "../../durable-objects/anomaly-profile";
import type { AnomalyOverrides, Observations } from "../../durable-objects/anomaly-types";
import type { KeyNotification, Notification } from "../../queues/notify-message";
import { as, signedInUser } from "../support/apps";
import { auditRows, awaitAudit } from "../support/audit";
import { admin, createChannel, uid, upstream } from "../support/gateway";

interface Place {
	country: string;
	asn: number;
}

const FR: Place = { country: "FR", asn: 64500 };

/** A chat request from `place`: `request.cf` as Cloudflare's edge sets it. */
function chatFrom(key: string, place: Place, body: unknown): Promise<Response> {
	return exports.default.fetch(
		new Request("http://gateway.test/v1/chat/completions", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify(body),
			// Only the fields the gateway reads; the edge sets many more.
			cf: place as unknown as IncomingRequestCfProperties,
		}),
	);
}

const ask = (model: string, words = 3) => ({ model, messages: [{ role: "user", content: "word ".repeat(words) }] });

/** Three models of one family (gpt) on one channel, and a key of `userId`'s with these anomaly settings. */
async function trackedKey(anomaly: AnomalyOverrides, userId?: number) {
	const suffix = uid();
	const models = [`gpt-4o-${suffix}`, `gpt-4o-mini-${suffix}`, `gpt-4.1-${suffix}`];
	await createChannel({ base_url: upstream(uid(), "ok"), models });
	const res = await admin("POST", "/api/tokens", { name: `key-${uid()}`, anomaly, ...(userId === undefined ? {} : { user_id: userId }) });
	expect(res.status).toBe(201);
	const { id, key } = await res.json<{ id: number; key: string }>();
	const governor = env.KEY_GOVERNOR.getByName(`token:${id}`);
	const sent: Notification[] = [];
	await runInDurableObject(governor, (instance) => {
		// The object's env, with a notification queue that records what it is given.
		const queue = {
			send: async (m: Notification) => void sent.push(m),
			sendBatch: async (ms: { body: Notification }[]) => void sent.push(...ms.map((m) => m.body)),
		};
		Object.assign(instance, { env: { ...env, NOTIFY_QUEUE: queue } });
	});
	return { id, key, models, governor, sent };
}

/** The key's profile once it has taken in `requests` requests (observations reach it about a second after the responses). */
async function profileAt(governor: DurableObjectStub, requests: number): Promise<Profile> {
	const until = Date.now() + 10_000;
	for (;;) {
		const stored = await runInDurableObject(governor, (_, state) => state.storage.kv.get<{ profile: Profile }>("anomaly-profile"));
		if (stored && stored.profile.requests >= requests) return stored.profile;
		if (Date.now() > until) throw new Error(`profile has ${stored?.profile.requests ?? 0} requests, expected ${requests}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** A steady mix: the three models, sizes from a few words to a few hundred, and every seventh request failing (no such model). */
async function normalWorkload(key: string, models: string[], count: number, place: Place, offset = 0): Promise<number[]> {
	const statuses: number[] = [];
	for (let i = offset; i < offset + count; i++) {
		const model = i % 7 === 6 ? `gpt-unserved-${uid()}` : (models[i % models.length] ?? "");
		const res = await chatFrom(key, place, ask(model, 3 + ((i * 37) % 300)));
		statuses.push(res.status);
		await res.text();
	}
	return statuses;
}

const keyStatus = async (id: number) => (await (await admin("GET", `/api/tokens/${id}`)).json<{ status: string; locked_reason: string | null }>()).status;

describe("anomaly detection", { timeout: 30_000 }, () => {
	it("a normal mixed workload after the learning period raises nothing", async () => {
		const { id, key, models, governor, sent } = await trackedKey({ policy: "lock", learning_requests: 20, learning_hours: 0 });
		const learning = await normalWorkload(key, models, 21, FR);
		expect(learning.filter((s) => s !== 200).length).toBe(3);
		await profileAt(governor, 21);
		const after = await normalWorkload(key, models, 28, FR, 21);
		expect(after.filter((s) => s === 200).length).toBe(24);
		const profile = await profileAt(governor, 49);
		// Every observation was judged (the learning period is over) and nothing was due: no report, no lock.
		expect(profile.reported).toEqual({});
		expect(profile.failures).toBe(7);
		expect(sent).toEqual([]);
		expect(await auditRows("security.anomaly", id)).toEqual([]);
		expect(await keyStatus(id)).toBe("active");
	});

	it("a key used from a new country raises security.anomaly, is locked under policy lock, and its owner unlocks it", async () => {
		const owner = await signedInUser();
		const { id, key, models, governor, sent } = await trackedKey({ policy: "lock", learning_requests: 10, learning_hours: 0 }, owner.id);
		await normalWorkload(key, models, 10, FR);
		await profileAt(governor, 10);

		const fromDE = await chatFrom(key, { country: "DE", asn: 64501 }, ask(models[0] ?? ""));
		expect(fromDE.status).toBe(200);
		const [entry, ...others] = await awaitAudit("security.anomaly", id, 2);
		expect(others).toHaveLength(1);
		expect(entry).toMatchObject({ actor_type: "system", user_id: owner.id, object_type: "key" });
		const kinds = (await auditRows("security.anomaly", id)).map((r) => JSON.parse(r.diff ?? "{}").detail.kind).sort();
		expect(kinds).toEqual(["new_country", "new_network"]);
		const anomalies = sent.filter((n): n is KeyNotification => n.type === "security.anomaly");
		expect(anomalies.map((n) => n.reason).sort()).toEqual(["used from a new country (DE)", "used from a new network (AS64501)"]);
		expect(anomalies.every((n) => n.key_id === id && n.user_id === owner.id)).toBe(true);
		expect(sent.filter((n) => n.type === "security.locked")).toHaveLength(1);
		await awaitAudit("security.lock", id, 1);

		// Locked: refused as an invalid key is, with the reason, and nothing internal.
		const refused = await chatFrom(key, FR, ask(models[0] ?? ""));
		expect(refused.status).toBe(401);
		const { error } = await refused.json<{ error: { code: string; message: string } }>();
		expect(error.code).toBe("invalid_api_key");
		expect(error.message).toMatch(
			/locked \(unusual use: used from a new country \(DE\); used from a new network \(AS64501\)\); its owner or the operator can unlock it/,
		);
		const view = await (await as(owner.session, "GET", `/api/tokens/${id}`)).json<{ status: string; locked_reason: string }>();
		expect(view).toMatchObject({ status: "locked", locked_reason: expect.stringContaining("new country (DE)") });

		// The key itself may not unlock itself; its owner, signed in, may.
		expect((await as(key, "PATCH", `/api/tokens/${id}`, { status: "active" })).status).toBe(401);
		const unlocked = await as(owner.session, "PATCH", `/api/tokens/${id}`, { status: "active" });
		expect(unlocked.status).toBe(200);
		expect(await unlocked.json()).toMatchObject({ status: "active", locked_reason: null, locked_at: null });
		const [unlock, ...more] = await awaitAudit("key.unlock", id, 1);
		expect(more).toEqual([]);
		expect(unlock).toMatchObject({ actor_type: "user", actor_id: owner.id, user_id: owner.id });
		// Germany is part of the profile now: the key works from there again, without a second report.
		const again = await chatFrom(key, { country: "DE", asn: 64501 }, ask(models[1] ?? ""));
		expect(again.status).toBe(200);
		await profileAt(governor, 12);
		expect(await auditRows("security.anomaly", id)).toHaveLength(2);
	});

	it("another user may not unlock a key, and the operator may", async () => {
		const owner = await signedInUser();
		const stranger = await signedInUser();
		const { id, key, models, governor } = await trackedKey({ policy: "lock", learning_requests: 3, learning_hours: 0 }, owner.id);
		await normalWorkload(key, models.slice(0, 1), 3, FR);
		await profileAt(governor, 3);
		await (await chatFrom(key, FR, ask(`claude-3-${uid()}`))).text();
		await awaitAudit("security.lock", id, 1);
		expect(await keyStatus(id)).toBe("locked");
		expect((await as(stranger.session, "PATCH", `/api/tokens/${id}`, { status: "active" })).status).toBe(404);
		expect((await admin("PATCH", `/api/tokens/${id}`, { status: "active" })).status).toBe(200);
		expect(await keyStatus(id)).toBe("active");
		await awaitAudit("key.unlock", id, 1);
	});

	it("a burst of failures raises security.anomaly (policy alert: the key keeps working)", async () => {
		const { id, key, models, governor, sent } = await trackedKey({ policy: "alert", learning_requests: 10, learning_hours: 0, failure_burst: 5 });
		for (let i = 0; i < 10; i++) expect((await chatFrom(key, FR, ask(models[i % 3] ?? ""))).status).toBe(200);
		await profileAt(governor, 10);
		// Twelve in a row: however the minutes fall, one of them holds at least six failures, at a rate far above none.
		for (let i = 0; i < 12; i++) expect((await chatFrom(key, FR, ask(`gpt-unserved-${uid()}`))).status).toBeGreaterThanOrEqual(400);
		const [entry] = await awaitAudit("security.anomaly", id, 1);
		expect(JSON.parse(entry?.diff ?? "{}").detail).toMatchObject({ kind: "failure_burst" });
		expect(sent).toEqual([expect.objectContaining({ type: "security.anomaly", key_id: id, reason: expect.stringMatching(/^a burst of failures/) })]);
		expect(await keyStatus(id)).toBe("active");
		expect((await chatFrom(key, FR, ask(models[0] ?? ""))).status).toBe(200);
	});

	it("a request rate far above the profile's raises security.anomaly and, under policy lock, locks the key", async () => {
		const { id, key, models, governor, sent } = await trackedKey({ policy: "lock" });
		const settings = { policy: "lock" as const, learningRequests: 0, learningHours: 0, rateFactor: 10, failureBurst: 20 };
		const start = Date.now() - 10 * 60_000;
		const obs = (minute: number, requests: number): Observations => ({
			keyId: id,
			userId: 1,
			settings,
			at: start + minute * 60_000,
			requests,
			failures: 0,
			bytes: requests * 200,
			families: { gpt: requests },
			countries: { FR: requests },
			networks: { "64500": requests },
		});
		// Five minutes of three requests each (the history the key's own traffic would have given it), then a minute of 100.
		for (let m = 0; m < 5; m++) expect(await governor.observe(obs(m, 3))).toEqual({ reported: [], locked: false });
		expect(await governor.observe(obs(5, 100))).toEqual({ reported: ["rate_spike"], locked: true });
		const [entry] = await awaitAudit("security.anomaly", id, 1);
		expect(JSON.parse(entry?.diff ?? "{}").detail).toMatchObject({ kind: "rate_spike", per_minute: 100, usual_per_minute: 3 });
		expect(sent.map((n) => n.type)).toEqual(["security.anomaly", "security.locked"]);
		await awaitAudit("security.lock", id, 1);
		// Refused at once in this isolate (the lock forgot its cached keys here; other isolates within KEY_CACHE_SECONDS).
		const refused = await chatFrom(key, FR, ask(models[0] ?? ""));
		expect(refused.status).toBe(401);
		expect(await refused.text()).toMatch(/locked \(unusual use: a request rate far above its usual \(100 a minute, usually 3\)\)/);
	});

	it("a key whose policy is off is not profiled at all", async () => {
		const { key, models, governor } = await trackedKey({ policy: "off" });
		expect((await normalWorkload(key, models, 3, FR)).every((s) => s === 200)).toBe(true);
		await new Promise((r) => setTimeout(r, 1_500));
		expect(await runInDurableObject(governor, (_, state) => state.storage.kv.get("anomaly-profile"))).toBeUndefined();
	});

	it("keeps a key's anomaly settings, and refuses unknown ones", async () => {
		const created = await admin("POST", "/api/tokens", { name: `key-${uid()}`, anomaly: { policy: "alert", rate_factor: 20 } });
		expect(created.status).toBe(201);
		const { id, anomaly } = await created.json<{ id: number; anomaly: unknown }>();
		expect(anomaly).toEqual({ policy: "alert", rate_factor: 20 });
		const patched = await admin("PATCH", `/api/tokens/${id}`, { anomaly: null });
		expect(await patched.json()).toMatchObject({ anomaly: null });
		expect((await admin("PATCH", `/api/tokens/${id}`, { anomaly: { policy: "maybe" } })).status).toBe(400);
		expect((await admin("PATCH", `/api/tokens/${id}`, { anomaly: { sensitivity: 3 } })).status).toBe(400);
	});
});
