import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { admin, call, createChannel, uid, upstream, upstreamLog } from "../support/gateway";

describe("channels API", () => {
	it("creates, reads, updates and deletes a channel; the upstream key is encrypted and never returned", async () => {
		const secret = `sk-upstream-${uid()}-secretvalue`;
		const created = await admin("POST", "/api/channels", {
			name: `c-${uid()}`,
			type: "openai",
			base_url: "https://api.example.com/v1",
			key: secret,
			models: ["m1"],
			model_mapping: { m1: "m1-2025" },
			priority: 5,
			weight: 3,
		});
		expect(created.status).toBe(201);
		const text = await created.text();
		expect(text).not.toContain(secret);
		const ch = JSON.parse(text);
		expect(ch).toMatchObject({
			type: "openai",
			models: ["m1"],
			model_mapping: { m1: "m1-2025" },
			priority: 5,
			weight: 3,
			status: "enabled",
			groups: ["default"],
		});
		expect(ch.key_masked).toBe(`sk-…${secret.slice(-4)}`);

		const stored = await env.DB.prepare("SELECT * FROM channels WHERE id = ?").bind(ch.id).first<Record<string, string>>();
		expect(JSON.stringify(stored)).not.toContain(secret);
		// Encrypted under ENCRYPTION_KEY, naming that key by its id (README, "Rotating ENCRYPTION_KEY").
		expect(stored?.key_ciphertext).toMatch(/^v2\.[0-9a-f]{8}\./);

		const listed = await (await admin("GET", "/api/channels")).text();
		expect(listed).not.toContain(secret);
		expect(JSON.parse(listed).data.some((c: { id: number }) => c.id === ch.id)).toBe(true);

		const patched = await (await admin("PATCH", `/api/channels/${ch.id}`, { status: "disabled", weight: 9 })).json<Record<string, unknown>>();
		expect(patched).toMatchObject({ status: "disabled", weight: 9, key_masked: ch.key_masked });

		expect((await admin("DELETE", `/api/channels/${ch.id}`)).status).toBe(204);
		expect((await admin("GET", `/api/channels/${ch.id}`)).status).toBe(404);
	});

	it("answers 409 for a duplicate name, 404 for a missing channel and 400 naming the bad field", async () => {
		const name = `dup-${uid()}`;
		await createChannel({ name, models: ["m"] });
		const dup = await admin("POST", "/api/channels", { name, type: "openai", models: ["m"] });
		expect(dup.status).toBe(409);
		expect((await dup.json<{ error: { code: string } }>()).error.code).toBe("conflict");
		expect((await admin("PATCH", "/api/channels/999999", { weight: 1 })).status).toBe(404);
		expect((await admin("DELETE", "/api/channels/999999")).status).toBe(404);

		const bad = await admin("POST", "/api/channels", { name: "x", type: "no-such-provider", models: ["m"] });
		expect(bad.status).toBe(400);
		expect((await bad.json<{ error: { param: string } }>()).error.param).toBe("type");
		const noModels = await admin("POST", "/api/channels", { name: "x", type: "openai", models: [] });
		expect(noModels.status).toBe(400);
		expect((await admin("GET", "/api/channels/abc")).status).toBe(400);
	});

	it("tests a channel with a tiny real request: latency when it works, the sanitized upstream error when not", async () => {
		const tag = uid();
		const good = await createChannel({ base_url: upstream(tag, "ok"), key: "sk-channel-test-key-123", models: ["ping-model"] });
		const ok = await (await admin("POST", `/api/channels/${good.id}/test`)).json<Record<string, unknown>>();
		expect(ok).toMatchObject({ ok: true, model: "ping-model", status: 200, error: null });
		expect(typeof ok.latency_ms).toBe("number");
		const [sent] = await upstreamLog(tag);
		expect(sent?.authorization).toBe("Bearer sk-channel-test-key-123");
		expect(sent?.body).toMatchObject({ model: "ping-model", max_tokens: 1 });

		const broken = await createChannel({ base_url: upstream(uid(), "status-401"), models: ["m"] });
		const failed = await (await admin("POST", `/api/channels/${broken.id}/test`)).json<{ ok: boolean; status: number; error: string }>();
		expect(failed).toMatchObject({ ok: false, status: 401 });
		expect(failed.error).toContain("Incorrect API key provided");
		expect(failed.error).not.toContain("sk-live");
	});
});

describe("tokens API", () => {
	it("shows the key once and stores only its hash", async () => {
		const res = await admin("POST", "/api/tokens", { name: "ci", models: ["a", "b"], expires_at: "2099-01-01T00:00:00Z" });
		expect(res.status).toBe(201);
		const token = await res.json<{ id: number; key: string; key_prefix: string; models: string[]; expires_at: string }>();
		expect(token.key).toMatch(/^sk-gw_[0-9A-Za-z]{46}$/);
		expect(token.key_prefix).toBe(`${token.key.slice(0, 10)}…`);
		expect(token).toMatchObject({ models: ["a", "b"], expires_at: "2099-01-01T00:00:00.000Z" });

		const row = await env.DB.prepare("SELECT * FROM tokens WHERE id = ?").bind(token.id).first();
		expect(JSON.stringify(row)).not.toContain(token.key);
		for (const path of ["/api/tokens", `/api/tokens/${token.id}`]) {
			expect(await (await admin("GET", path)).text()).not.toContain(token.key);
		}
	});

	it("validates input", async () => {
		expect((await admin("POST", "/api/tokens", {})).status).toBe(400);
		expect((await admin("POST", "/api/tokens", { name: "x", expires_at: "tomorrow" })).status).toBe(400);
		expect((await admin("POST", "/api/tokens", { name: "x", user_id: 424242 })).status).toBe(404);
		expect((await admin("PATCH", "/api/tokens/424242", { name: "y" })).status).toBe(404);
	});
});

describe("OpenAPI document", () => {
	it("describes every route the app serves", async () => {
		const doc = await (await call("/api/openapi.json")).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
		expect(doc.openapi).toMatch(/^3\./);
		const served = app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);
		const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
		expect(new Set(documented)).toEqual(new Set(served));
		expect(doc.paths["/v1/chat/completions"]).toHaveProperty("post.requestBody");
	});
});
