import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appCache, findApp } from "../../src/conversations/apps";
import { db } from "../../src/db/client";
import { authenticate } from "../../src/relay/callers";
import { type App, as, signedInUser } from "../support/apps";
import { awaitAudit } from "../support/audit";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, createKey } from "../support/gateway";

const EXACT = { mode: "exact", ttl_seconds: 3600, threshold: 0.95, semantic_any: false };

interface ApiError {
	error: { code: string; param: string | null };
}

describe("the `cache` field of keys", () => {
	it("is null (off) by default, takes settings with defaults filled in, and goes off again with null or mode off", async () => {
		const { id } = await createKey();
		expect((await (await admin("GET", `/api/tokens/${id}`)).json<{ cache: unknown }>()).cache).toBeNull();

		const created = await admin("POST", "/api/tokens", { name: "cached", cache: { mode: "semantic", threshold: 0.9 } });
		expect(created.status).toBe(201);
		const key = await created.json<{ id: number; cache: unknown }>();
		expect(key.cache).toEqual({ mode: "semantic", ttl_seconds: 3600, threshold: 0.9, semantic_any: false });
		const listed = await (await admin("GET", "/api/tokens")).json<{ data: { id: number; cache: unknown }[] }>();
		expect(listed.data.find((k) => k.id === key.id)?.cache).toEqual(key.cache);

		const patched = await admin("PATCH", `/api/tokens/${id}`, { cache: { mode: "exact", ttl_seconds: 60 } });
		expect(await patched.json()).toMatchObject({ cache: { mode: "exact", ttl_seconds: 60, threshold: 0.95, semantic_any: false } });
		// Another field's change leaves the cache as it was.
		expect(await (await admin("PATCH", `/api/tokens/${id}`, { name: "renamed" })).json()).toMatchObject({ cache: { mode: "exact", ttl_seconds: 60 } });
		expect(await (await admin("PATCH", `/api/tokens/${id}`, { cache: { mode: "off" } })).json()).toMatchObject({ cache: null });
		await admin("PATCH", `/api/tokens/${id}`, { cache: EXACT });
		expect(await (await admin("PATCH", `/api/tokens/${id}`, { cache: null })).json()).toMatchObject({ cache: null });
		const stored = await env.DB.prepare("SELECT cache FROM tokens WHERE id = ?").bind(id).first<{ cache: string | null }>();
		expect(stored?.cache).toBeNull();
	});

	it("refuses settings out of range or unknown, in the /api error format, naming the field", async () => {
		const { id } = await createKey();
		for (const cache of [
			{ mode: "fuzzy" },
			{ mode: "exact", ttl_seconds: 0 },
			{ mode: "exact", ttl_seconds: 31 * 24 * 3600 },
			{ mode: "semantic", threshold: 1.5 },
			{ mode: "exact", stale: true },
			"exact",
		]) {
			const res = await admin("PATCH", `/api/tokens/${id}`, { cache });
			expect(res.status, JSON.stringify(cache)).toBe(400);
			const body = await res.json<ApiError>();
			expect(body.error.code).toBe("invalid_request");
			expect(body.error.param ?? "").toMatch(/^cache/);
		}
		expect((await admin("POST", "/api/tokens", { name: "bad", cache: { mode: "exact", threshold: 0.1 } })).status).toBe(400);
	});

	it("reaches the relay's cached key at once after a change, and the change is audited", async () => {
		const { id, key } = await createKey();
		expect((await authenticate(env, key)).cache).toBeNull();
		await admin("PATCH", `/api/tokens/${id}`, { cache: { mode: "exact", ttl_seconds: 120 } });
		expect((await authenticate(env, key)).cache).toEqual({ mode: "exact", ttl_seconds: 120, threshold: 0.95, semantic_any: false });
		const [entry] = await awaitAudit("key.update", id);
		const diff = JSON.parse(entry?.diff ?? "{}");
		expect(diff.before.cache).toBeNull();
		expect(diff.after.cache).toMatchObject({ mode: "exact", ttl_seconds: 120 });
	});

	it("is the owner's to set, as the key's other settings are", async () => {
		const alice = await signedInUser();
		const created = await as(alice.session, "POST", "/api/tokens", { name: "mine", cache: EXACT });
		expect(created.status).toBe(201);
		const { id } = await created.json<{ id: number }>();
		const bob = await signedInUser();
		expect((await as(bob.session, "PATCH", `/api/tokens/${id}`, { cache: null })).status).toBe(404);
		expect(await (await as(alice.session, "GET", `/api/tokens/${id}`)).json()).toMatchObject({ cache: EXACT });
	});
});

describe("the `cache` field of apps", () => {
	it("round-trips through POST, PATCH and the view, and the Dify routes read it resolved", async () => {
		const res = await as(TEST_ADMIN_TOKEN, "POST", "/api/apps", { name: "Cached", model: "mock-chat", cache: { mode: "exact" } });
		expect(res.status).toBe(201);
		const app = await res.json<App>();
		expect(app.cache).toEqual(EXACT);
		expect((await findApp(db(env), app.id, undefined)).cache).toEqual(EXACT);
		expect(appCache(await findApp(db(env), app.id, undefined))).toEqual(EXACT);

		const patched = await as(TEST_ADMIN_TOKEN, "PATCH", `/api/apps/${app.id}`, { cache: { mode: "semantic", semantic_any: true } });
		expect(await patched.json()).toMatchObject({ cache: { mode: "semantic", ttl_seconds: 3600, threshold: 0.95, semantic_any: true } });
		const [entry] = await awaitAudit("app.update", app.id);
		expect(JSON.parse(entry?.diff ?? "{}").after.cache).toMatchObject({ mode: "semantic" });
		expect(await (await as(TEST_ADMIN_TOKEN, "GET", `/api/apps/${app.id}`)).json()).toMatchObject({ cache: { mode: "semantic" } });

		expect(await (await as(TEST_ADMIN_TOKEN, "PATCH", `/api/apps/${app.id}`, { cache: { mode: "off" } })).json()).toMatchObject({ cache: null });
		expect(appCache(await findApp(db(env), app.id, undefined))).toBeNull();
	});

	it("is off for an app made without it, and refuses bad settings with a 400", async () => {
		const app = await (await as(TEST_ADMIN_TOKEN, "POST", "/api/apps", { name: "Plain", model: "mock-chat" })).json<App>();
		expect(app.cache).toBeNull();
		const res = await as(TEST_ADMIN_TOKEN, "PATCH", `/api/apps/${app.id}`, { cache: { mode: "semantic", threshold: 2 } });
		expect(res.status).toBe(400);
		expect((await res.json<ApiError>()).error).toMatchObject({ code: "invalid_request", param: "cache.threshold" });
	});
});
