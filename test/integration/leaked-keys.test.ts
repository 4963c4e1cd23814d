import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { auditRows, awaitAudit } from "../support/audit";
import { admin, call, createKey, uid } from "../support/gateway";

let address = 0;
/** Each test reports from its own address: reports are counted per address. */
const from = () => `198.51.100.${++address}`;

function report(body: unknown, ip = from()): Promise<Response> {
	return call("/api/security/leaked-keys", {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": ip },
		body: JSON.stringify(body),
	});
}

const models = (key: string) => call("/v1/models", { headers: { authorization: `Bearer ${key}` } });

describe("POST /api/security/leaked-keys", () => {
	it("locks a reported key at once, with one audit entry for the report and one for the lock, however often it is reported", async () => {
		const { id, key } = await createKey();
		expect((await models(key)).status).toBe(200);
		const ip = from();
		const res = await report({ keys: [key, "not-a-key"] }, ip);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ received: 2, locked: 1, grace_ended: 0 });
		expect((await models(key)).status).toBe(401);
		const view = await (await admin("GET", `/api/tokens/${id}`)).json<{ status: string }>();
		expect(view.status).toBe("locked");

		expect(await (await report({ keys: [key] }, ip)).json()).toEqual({ received: 1, locked: 1, grace_ended: 0 });
		const [lock, ...more] = await awaitAudit("security.lock", id);
		expect(more).toEqual([]);
		expect(lock).toMatchObject({ actor_type: "system", result: "success", ip });
		const reports = (await awaitAudit("security.leaked_key", undefined, 2)).filter((r) => r.ip === ip);
		expect(reports).toHaveLength(2);
		// No entry holds the key itself.
		const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE instr(coalesce(diff, ''), ?1) > 0").bind(key.slice(6)).all();
		expect(results).toEqual([]);
	});

	it("takes SHA-256 hashes, and GitHub secret scanning's format", async () => {
		const a = await createKey();
		const b = await createKey();
		expect(await (await report({ hashes: [(await sha256Hex(a.key)).toUpperCase()] })).json()).toMatchObject({ locked: 1 });
		expect(
			await (await report([{ token: b.key, type: "edge_gateway_key", url: "https://github.com/x/y/blob/main/.env", source: "content" }])).json(),
		).toMatchObject({ locked: 1 });
		expect((await models(a.key)).status).toBe(401);
		expect((await models(b.key)).status).toBe(401);
	});

	it("ends a rotation's grace period when the old secret is reported, leaving the new one working", async () => {
		const { id, key } = await createKey();
		const old = `sk-${"A".repeat(40)}${uid()}`.slice(0, 51);
		await env.DB.prepare("UPDATE tokens SET previous_key_hash = ?2, previous_key_expires_at = ?3 WHERE id = ?1")
			.bind(id, await sha256Hex(old), Date.now() + 3_600_000)
			.run();
		expect(await (await report({ hashes: [await sha256Hex(old)] })).json()).toEqual({ received: 1, locked: 0, grace_ended: 1 });
		expect((await models(key)).status).toBe(200);
		const row = await env.DB.prepare("SELECT previous_key_hash, status FROM tokens WHERE id = ?").bind(id).first();
		expect(row).toEqual({ previous_key_hash: null, status: "active" });
		expect(await auditRows("security.lock", id)).toEqual([]);
	});

	it("refuses an empty or oversized report, and more than 10 reports a minute from one address", async () => {
		expect((await report({})).status).toBe(400);
		expect((await report({ hashes: ["nothex"] })).status).toBe(400);
		expect((await report({ keys: Array.from({ length: 101 }, (_, i) => `k${i}`) })).status).toBe(400);
		const ip = from();
		for (let i = 0; i < 10; i++) expect((await report({ keys: ["sk-nothing"] }, ip)).status).toBe(200);
		const refused = await report({ keys: ["sk-nothing"] }, ip);
		expect(refused.status).toBe(429);
		expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(await refused.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
	});
});
