import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import { newGatewayKey } from "../../src/auth/key-format";
import { config } from "../../src/env";
import { auditRows, awaitAudit } from "../support/audit";
import { createKey, uid } from "../support/gateway";

const LIMIT = config(env).authFailuresPerMinute;

/**
 * The Worker's fetch with a D1 binding that counts every call made on it: a throttled attempt must make none. The
 * same module's fetch serves every request of a test, so that its per-isolate counts are the ones the test sees.
 */
function countingGateway() {
	let calls = 0;
	const DB = new Proxy(env.DB, {
		get(target, prop) {
			const value: unknown = Reflect.get(target, prop);
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				calls++;
				return value.apply(target, args);
			};
		},
	});
	const gatewayEnv = { ...env, DB };
	const running: ExecutionContext[] = [];
	return {
		d1Calls: () => calls,
		async fetch(path: string, init: RequestInit): Promise<Response> {
			const ctx = createExecutionContext();
			running.push(ctx);
			const res = await worker.fetch(new Request(`http://gateway.test${path}`, init), gatewayEnv, ctx);
			return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
		},
		/** Waits for what the requests so far left running: reports to the address's governor, refusal counts written to D1. */
		settled: () => Promise.all(running.splice(0).map((ctx) => waitOnExecutionContext(ctx))),
	};
}

/** The address's governor, with a notification queue that records what it is given. */
async function watchedAddress(address: string): Promise<Notification[]> {
	const sent: Notification[] = [];
	await runInDurableObject(env.KEY_GOVERNOR.getByName(`auth-failures:${address}`), (instance) => {
		Object.assign(instance, { env: { ...env, NOTIFY_QUEUE: { send: async (m: Notification) => void sent.push(m) } } });
	});
	return sent;
}

const testNet = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

describe("authentication failures per address", { timeout: 30_000 }, () => {
	it("a burst of bad keys is refused with 429 past the limit on every surface, without a database read, and reported once", async () => {
		const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
		const sent = await watchedAddress(address);
		const gateway = countingGateway();
		const from = (headers: Record<string, string>) => ({ "cf-connecting-ip": address, "content-type": "application/json", ...headers });
		const chatBody = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });

		for (let i = 0; i < LIMIT; i++) {
			const before = gateway.d1Calls();
			// Well-formed keys with a valid checksum: each is looked up, and is unknown.
			const res = await gateway.fetch("/v1/chat/completions", {
				method: "POST",
				headers: from({ authorization: `Bearer ${newGatewayKey()}` }),
				body: chatBody,
			});
			expect(res.status).toBe(401);
			expect(gateway.d1Calls()).toBeGreaterThan(before);
		}

		const { key } = await createKey();
		await gateway.settled();
		const reads = gateway.d1Calls();
		const attempts: [string, RequestInit][] = [
			["/v1/chat/completions", { method: "POST", headers: from({ authorization: `Bearer ${newGatewayKey()}` }), body: chatBody }],
			["/v1/messages", { method: "POST", headers: from({ "x-api-key": newGatewayKey() }), body: chatBody }],
			["/api/tokens", { headers: from({ authorization: `Bearer ${newGatewayKey()}` }) }],
			["/mem0/v1/memories/", { headers: from({ authorization: `Token ${newGatewayKey()}` }) }],
			["/dify/v1/parameters", { headers: from({ authorization: `Bearer ${newGatewayKey()}` }) }],
			// The address is refused whatever it presents, a valid key included: its credential is not read.
			["/v1/chat/completions", { method: "POST", headers: from({ authorization: `Bearer ${key}` }), body: chatBody }],
		];
		const refused = [];
		for (const [path, init] of attempts) refused.push(await gateway.fetch(path, init));
		expect(refused.map((r) => r.status)).toEqual(attempts.map(() => 429));
		await gateway.settled();
		expect(gateway.d1Calls()).toBe(reads);
		for (const r of refused) expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
		// Each in its API's format.
		const [openai, anthropic, api, mem0, dify] = await Promise.all(refused.map((r) => r.json<Record<string, unknown>>()));
		expect(openai).toMatchObject({ error: { code: "rate_limit_exceeded", message: expect.stringMatching(/Too many failed authentications/) } });
		expect(anthropic).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
		expect(api).toMatchObject({ error: { code: "rate_limit_exceeded" } });
		expect(mem0).toMatchObject({ code: "rate_limit_exceeded", detail: expect.stringMatching(/Too many failed authentications/) });
		expect(dify).toMatchObject({ code: "too_many_requests", status: 429 });

		// One event for the burst: the governor's notification, and one audit entry.
		expect(sent).toEqual([
			expect.objectContaining({ type: "security.auth_failures", key_id: null, user_id: null, detail: { address, failures: LIMIT, limit: LIMIT } }),
		]);
		const [entry] = await awaitAudit("security.auth_failures", address, 1);
		expect(entry).toMatchObject({ actor_type: "system", ip: address, object_type: "address" });
		expect(await auditRows("security.auth_failures", address)).toHaveLength(1);
	});

	it("a burst of bad sign-ins from one address is refused past the limit without a database read, and reported once", async () => {
		const address = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
		const sent = await watchedAddress(address);
		const gateway = countingGateway();
		const login = (email: string) =>
			gateway.fetch("/api/auth/login", {
				method: "POST",
				headers: { "content-type": "application/json", "cf-connecting-ip": address },
				body: JSON.stringify({ email, password: "hunter2 hunter2" }),
			});
		// Credential stuffing: a different email each time, so that no email's own limit (5 a minute) is reached.
		for (let i = 0; i < LIMIT; i++) expect((await login(`victim-${uid()}@example.com`)).status).toBe(401);
		await gateway.settled();
		const reads = gateway.d1Calls();
		const throttled = await login(`victim-${uid()}@example.com`);
		expect(throttled.status).toBe(429);
		expect(await throttled.json()).toMatchObject({ error: { message: expect.stringMatching(/Too many failed authentications/) } });
		expect((await login(`victim-${uid()}@example.com`)).status).toBe(429);
		await gateway.settled();
		expect(gateway.d1Calls()).toBe(reads);
		expect(sent.map((n) => n.type)).toEqual(["security.auth_failures"]);
		await awaitAudit("security.auth_failures", address, 1);
		expect(await auditRows("security.auth_failures", address)).toHaveLength(1);
	});

	it("failures below the limit are not throttled, and an address that succeeds is never counted", async () => {
		const address = testNet();
		const gateway = countingGateway();
		const { key } = await createKey();
		const headers = (k: string) => ({ "cf-connecting-ip": address, authorization: `Bearer ${k}` });
		for (let i = 0; i < 3 * LIMIT; i++) expect((await gateway.fetch("/api/tokens", { headers: headers(key) })).status).toBe(200);
		for (let i = 0; i < LIMIT - 1; i++) expect((await gateway.fetch("/api/tokens", { headers: headers(newGatewayKey()) })).status).toBe(401);
		expect((await gateway.fetch("/api/tokens", { headers: headers(key) })).status).toBe(200);
		await gateway.settled();
		// The governor of an address only ever hears of failures.
		const stored = await runInDurableObject(env.KEY_GOVERNOR.getByName(`auth-failures:${address}`), (_, state) => state.storage.kv.get("auth-failures"));
		expect(stored).toMatchObject({ count: LIMIT - 1 });
	});
});
