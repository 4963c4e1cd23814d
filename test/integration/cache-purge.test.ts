import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cachePurgeOwner } from "../../src/auth/policy";
import { type PurgeScope, prunePurges, purgeCache } from "../../src/cache/purge";
import { purged, purgeMarks } from "../../src/cache/purges";
import { type CachedAnswer, ENTRY_PREFIX, entryKey, writeEntry } from "../../src/cache/store";
import { MAX_CACHE_TTL_SECONDS } from "../../src/types/cache-settings";
import { as, signedInUser } from "../support/apps";
import { awaitAudit } from "../support/audit";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, uid } from "../support/gateway";

/** A stored answer of `keyId`'s (user `userId`) for `model`, as the relay would have written it. */
function answer(userId: number, keyId: number, model: string, createdAt = Date.now()): CachedAnswer {
	return {
		v: 1,
		answer: { id: `chatcmpl-${uid()}`, object: "chat.completion", created: 0, model, choices: [] },
		model,
		channelId: null,
		usage: { promptTokens: 3, completionTokens: 2, cachedTokens: 0 },
		keyId,
		userId,
		createdAt,
		expiresAt: createdAt + 3_600_000,
	};
}

/** Writes an entry under `scope` and returns its KV name. */
async function stored(scope: string, entry: CachedAnswer): Promise<string> {
	const name = entryKey(scope, `${uid()}${uid()}`);
	expect(await writeEntry(env, name, entry)).toBe(true);
	return name;
}

const present = async (name: string) => (await env.RESPONSE_CACHE.get(name)) !== null;

interface Purge {
	object: string;
	id: number;
	user_id: number | null;
	key_id: number | null;
	model: string | null;
	at: string;
	deleted: number;
	more: boolean;
}

/** A signed-in user with one key of their own. */
async function userWithKey() {
	const user = await signedInUser();
	const res = await as(user.session, "POST", "/api/tokens", { name: `k-${uid()}` });
	const { id, key } = await res.json<{ id: number; key: string }>();
	return { ...user, keyId: id, key };
}

describe("DELETE /api/cache", () => {
	it("lets a user purge one of their keys' entries: those go, their other key's and other users' stay, and the purge applies", async () => {
		const alice = await userWithKey();
		const other = await (await as(alice.session, "POST", "/api/tokens", { name: "other" })).json<{ id: number }>();
		const bob = await userWithKey();
		const model = `m-${uid()}`;
		const gone = [await stored(`u${alice.id}`, answer(alice.id, alice.keyId, model)), await stored(`u${alice.id}`, answer(alice.id, alice.keyId, "x"))];
		const kept = [await stored(`u${alice.id}`, answer(alice.id, other.id, model)), await stored(`u${bob.id}`, answer(bob.id, bob.keyId, model))];

		const res = await as(alice.session, "DELETE", `/api/cache?key_id=${alice.keyId}`);
		expect(res.status).toBe(200);
		const purge = await res.json<Purge>();
		expect(purge).toMatchObject({ object: "cache.purge", user_id: alice.id, key_id: alice.keyId, model: null, deleted: 2, more: false });
		for (const name of gone) expect(await present(name)).toBe(false);
		for (const name of kept) expect(await present(name)).toBe(true);

		const row = await env.DB.prepare("SELECT user_id, key_id, model, at FROM cache_purges WHERE id = ?").bind(purge.id).first();
		expect(row).toEqual({ user_id: alice.id, key_id: alice.keyId, model: null, at: Date.parse(purge.at) });
		// Also an entry the deletion missed (KV propagates deletes slowly) is never served again.
		const marks = await purgeMarks(env, Date.now());
		expect(purged(answer(alice.id, alice.keyId, model, Date.parse(purge.at) - 1), marks)).toBe(true);
		expect(purged(answer(alice.id, other.id, model, Date.parse(purge.at) - 1), marks)).toBe(false);
		expect(purged(answer(alice.id, alice.keyId, model, Date.parse(purge.at) + 1), marks)).toBe(false);

		const [entry] = await awaitAudit("cache.purge", purge.id);
		expect(entry).toMatchObject({ actor_type: "user", actor_id: alice.id, user_id: alice.id });
		expect(JSON.parse(entry?.diff ?? "{}").detail).toMatchObject({ key_id: alice.keyId, deleted: 2 });
	});

	it("purges all of a user's own entries with all=true, or those of one model, and none of another user's", async () => {
		const alice = await userWithKey();
		const bob = await userWithKey();
		const model = `m-${uid()}`;
		const first = await stored(`u${alice.id}`, answer(alice.id, alice.keyId, model));
		const second = await stored(`u${alice.id}`, answer(alice.id, alice.keyId, "other"));
		const bobs = await stored(`u${bob.id}`, answer(bob.id, bob.keyId, model));

		const byModel = await (await as(alice.session, "DELETE", `/api/cache?model=${model}`)).json<Purge>();
		expect(byModel).toMatchObject({ user_id: alice.id, key_id: null, model, deleted: 1 });
		expect([await present(first), await present(second), await present(bobs)]).toEqual([false, true, true]);

		const all = await (await as(alice.session, "DELETE", "/api/cache?all=true")).json<Purge>();
		expect(all).toMatchObject({ user_id: alice.id, key_id: null, model: null, deleted: 1, more: false });
		expect([await present(second), await present(bobs)]).toEqual([false, true]);
	});

	it("refuses another user's key (404), another user (403), a gateway key (403), and a purge that names nothing (400)", async () => {
		const alice = await userWithKey();
		const bob = await userWithKey();
		const bobs = await stored(`u${bob.id}`, answer(bob.id, bob.keyId, "m"));

		const notFound = await as(alice.session, "DELETE", `/api/cache?key_id=${bob.keyId}`);
		expect(notFound.status).toBe(404);
		expect((await notFound.json<{ error: { code: string; param: string } }>()).error).toMatchObject({ code: "not_found", param: "key_id" });
		expect((await as(alice.session, "DELETE", `/api/cache?user_id=${bob.id}`)).status).toBe(403);
		expect((await as(bob.key, "DELETE", "/api/cache?all=true")).status).toBe(403);
		// The operator naming a user and a key of someone else's: not that user's key.
		expect((await admin("DELETE", `/api/cache?user_id=${alice.id}&key_id=${bob.keyId}`)).status).toBe(404);
		expect(await present(bobs)).toBe(true);

		for (const query of ["", "?all=false", `?all=true&model=m`, "?all=yes", "?key_id=abc"]) {
			const res = await as(alice.session, "DELETE", `/api/cache${query}`);
			expect(res.status, query).toBe(400);
			expect((await res.json<{ error: { type: string; code: string } }>()).error).toMatchObject({ type: "invalid_request_error", code: "invalid_request" });
		}
	});

	it("lets the operator purge any user's key, or a model for every user (shared groups' entries too)", async () => {
		const alice = await userWithKey();
		const bob = await userWithKey();
		const viaKey = await (await admin("DELETE", `/api/cache?key_id=${bob.keyId}`)).json<Purge>();
		expect(viaKey).toMatchObject({ user_id: bob.id, key_id: bob.keyId });

		const model = `m-${uid()}`;
		const group = `g${uid()}`;
		const theirs = [
			await stored(`u${alice.id}`, answer(alice.id, alice.keyId, model)),
			await stored(`u${bob.id}`, answer(bob.id, bob.keyId, model)),
			await stored(`g${group}`, answer(bob.id, bob.keyId, model)),
		];
		const otherModel = await stored(`u${alice.id}`, answer(alice.id, alice.keyId, `${model}-b`));
		const res = await as(TEST_ADMIN_TOKEN, "DELETE", `/api/cache?model=${model}`);
		const purge = await res.json<Purge>();
		expect(purge).toMatchObject({ user_id: null, key_id: null, model, deleted: 3 });
		for (const name of theirs) expect(await present(name)).toBe(false);
		expect(await present(otherModel)).toBe(true);
		const [entry] = await awaitAudit("cache.purge", purge.id);
		expect(entry).toMatchObject({ actor_type: "operator", user_id: null });
	});
});

describe("purging the response cache (src/cache/purge.ts)", () => {
	it("asks the policy whose entries a purge reaches: the operator's everyone's, a user's their own", () => {
		expect(cachePurgeOwner({ role: "admin", userId: null, sessionId: null }, undefined)).toBeNull();
		expect(cachePurgeOwner({ role: "admin", userId: 5, sessionId: "s" }, 7)).toBe(7);
		expect(cachePurgeOwner({ role: "user", userId: 5, keyId: null, sessionId: "s" }, undefined)).toBe(5);
		expect(() => cachePurgeOwner({ role: "user", userId: 5, keyId: null, sessionId: "s" }, 7)).toThrow();
	});

	it("finds a user's entries in the shared groups' prefixes by their metadata", async () => {
		const group = `team-${uid()}`;
		const shared = { ...env, CACHE_SHARED_GROUPS: `other, ${group}` };
		const userId = 900_000 + Math.floor(Math.random() * 90_000);
		const mine = await stored(`g${encodeURIComponent(group)}`, answer(userId, 1, "m"));
		const theirs = await stored(`g${encodeURIComponent(group)}`, answer(userId + 1, 2, "m"));
		const own = await stored(`u${userId}`, answer(userId, 1, "m"));
		const work: Promise<unknown>[] = [];
		const outcome = await purgeCache(shared, { userId, keyId: null, model: null }, (w) => work.push(w));
		expect(outcome).toMatchObject({ deleted: 2, more: false });
		expect(work).toEqual([]);
		expect([await present(mine), await present(own), await present(theirs)]).toEqual([false, false, true]);
	});

	it("deletes a few entries before answering and the rest after, and leaves alone those stored after the purge", async () => {
		const userId = 800_000 + Math.floor(Math.random() * 90_000);
		const then = Date.now() - 60_000;
		const names = await Promise.all(Array.from({ length: 180 }, () => stored(`u${userId}`, answer(userId, 1, "m", then))));
		const later = await stored(`u${userId}`, answer(userId, 1, "m", Date.now() + 60_000));
		const work: Promise<unknown>[] = [];
		const scope: PurgeScope = { userId, keyId: null, model: null };
		const outcome = await purgeCache(env, scope, (w) => work.push(w));
		expect(outcome.more).toBe(true);
		expect(outcome.deleted).toBeGreaterThan(0);
		expect(outcome.deleted).toBeLessThan(names.length);
		await Promise.all(work);
		const left = await env.RESPONSE_CACHE.list({ prefix: `${ENTRY_PREFIX}u${userId}/` });
		expect(left.keys.map((k) => k.name)).toEqual([later]);
	});

	it("purges every user's entries stored before it when it names nothing (the operator's all=true)", async () => {
		// A purge dated long ago: it reaches the entries this test dates before it, and nobody else's.
		const at = 5_000;
		const a = await stored(`u${uid()}`, answer(1, 1, "m", 1_000));
		const b = await stored(`gteam-${uid()}`, answer(2, 2, "n", 2_000));
		const recent = await stored(`u${uid()}`, answer(3, 3, "m"));
		const work: Promise<unknown>[] = [];
		await purgeCache(env, { userId: null, keyId: null, model: null }, (w) => work.push(w), at);
		await Promise.all(work);
		expect([await present(a), await present(b), await present(recent)]).toEqual([false, false, true]);
	});

	it("forgets purges older than the longest TTL, in the cron", async () => {
		const now = Date.now();
		const old = await env.DB.prepare("INSERT INTO cache_purges (user_id, at) VALUES (1, ?) RETURNING id")
			.bind(now - MAX_CACHE_TTL_SECONDS * 1000 - 1)
			.first<{ id: number }>();
		const young = await env.DB.prepare("INSERT INTO cache_purges (user_id, at) VALUES (1, ?) RETURNING id")
			.bind(now - 1000)
			.first<{ id: number }>();
		expect(await prunePurges(env, now)).toBeGreaterThanOrEqual(1);
		const left = await env.DB.prepare("SELECT id FROM cache_purges WHERE id IN (?, ?)").bind(old?.id, young?.id).all<{ id: number }>();
		expect(left.results.map((r) => r.id)).toEqual([young?.id]);
	});
});
