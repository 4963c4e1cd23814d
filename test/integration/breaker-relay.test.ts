// The relay and the channel breakers together: failing channels stop getting traffic without the client noticing,
// come back through one trial request, and only the channel's own faults count.
import { describe, expect, it } from "vitest";
import { admin, chat, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

interface Health {
	state: string;
	consecutive_failures: number;
	disabled_reason: string | null;
	retry_at: string | null;
}

async function health(id: number): Promise<Health> {
	return (await admin("GET", `/api/channels/${id}/health`)).json();
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error("condition not reached");
		await new Promise((r) => setTimeout(r, 50));
	}
}

const fast = { consecutiveFailures: 3, cooldownMs: 300, maxCooldownMs: 1_000, probeIntervalMs: 0 };
const hello = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

describe("circuit breakers in the relay", () => {
	it("open on a failing channel, move traffic with no client-visible error, and close through one trial", async () => {
		const tag = uid();
		const model = `cb-${tag}`;
		const failing = await createChannel({ base_url: upstream(`${tag}-bad`, "status-500"), models: [model], priority: 10, settings: { breaker: fast } });
		await createChannel({ base_url: upstream(`${tag}-good`, "ok"), models: [model], priority: 0 });
		const { key } = await createKey();

		for (let i = 0; i < 3; i++) expect((await chat(key, hello(model))).status).toBe(200);
		await until(async () => (await health(failing.id)).state === "open");
		const triedBefore = (await upstreamLog(`${tag}-bad`)).length;
		expect(triedBefore).toBe(3);

		// Open: the failing channel is skipped, the healthy one answers every request at once.
		for (let i = 0; i < 5; i++) {
			const res = await chat(key, hello(model));
			expect(res.status).toBe(200);
			expect(res.headers.get("x-gateway-attempts")).toBe("1");
		}
		expect((await upstreamLog(`${tag}-bad`)).length).toBe(triedBefore);

		// The upstream recovers; after the cooldown one trial request goes to it and closes the breaker.
		await admin("PATCH", `/api/channels/${failing.id}`, { base_url: upstream(`${tag}-healed`, "ok") });
		await new Promise((r) => setTimeout(r, 350));
		const trial = await chat(key, hello(model));
		expect(trial.status).toBe(200);
		expect(trial.headers.get("x-gateway-channel")).toBe(String(failing.id));
		await until(async () => (await health(failing.id)).state === "closed");
	});

	it("never counts the client's own bad requests", async () => {
		const tag = uid();
		const model = `cb400-${tag}`;
		const channel = await createChannel({ base_url: upstream(tag, "status-400"), models: [model], settings: { breaker: fast } });
		const { key } = await createKey();
		for (let i = 0; i < 6; i++) expect((await chat(key, hello(model))).status).toBe(400);
		expect((await upstreamLog(tag)).length).toBe(6);
		expect(await health(channel.id)).toMatchObject({ state: "closed", consecutive_failures: 0 });
	});

	it("disables a channel whose key the upstream refuses, until an operator resets it", async () => {
		const tag = uid();
		const model = `cb401-${tag}`;
		const bad = await createChannel({ base_url: upstream(`${tag}-401`, "status-401"), models: [model], priority: 10, settings: { breaker: fast } });
		await createChannel({ base_url: upstream(`${tag}-ok`, "ok"), models: [model] });
		const { key } = await createKey();
		expect((await chat(key, hello(model))).status).toBe(200);
		await until(async () => (await health(bad.id)).state === "disabled");
		expect((await health(bad.id)).disabled_reason).toContain("401");
		expect((await chat(key, hello(model))).headers.get("x-gateway-attempts")).toBe("1");
		expect((await upstreamLog(`${tag}-401`)).length).toBe(1);

		const reset = await admin("POST", `/api/channels/${bad.id}/health/reset`);
		expect(((await reset.json()) as Health).state).toBe("closed");
	});

	it("fails fast with 503 and Retry-After when every channel is open", async () => {
		const tag = uid();
		const model = `cbdown-${tag}`;
		const only = await createChannel({ base_url: upstream(tag, "status-502"), models: [model], settings: { breaker: { ...fast, cooldownMs: 5_000 } } });
		const { key } = await createKey();
		for (let i = 0; i < 3; i++) expect((await chat(key, hello(model))).status).toBe(502);
		await until(async () => (await health(only.id)).state === "open");
		const res = await chat(key, hello(model));
		expect(res.status).toBe(503);
		expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(((await res.json()) as { error: { message: string } }).error.message).toContain("circuit open");
		expect((await upstreamLog(tag)).length).toBe(3);
	});
});

describe("breaker settings", () => {
	it("apply as soon as the channel's settings change", async () => {
		const tag = uid();
		const model = `cbcfg-${tag}`;
		const channel = await createChannel({ base_url: upstream(tag, "status-500"), models: [model] });
		const { key } = await createKey();
		for (let i = 0; i < 2; i++) expect((await chat(key, hello(model))).status).toBe(502);
		await until(async () => (await health(channel.id)).consecutive_failures === 2);
		expect((await health(channel.id)).state).toBe("closed");
		// Two failures in a row now suffice: the next one opens it.
		expect((await admin("PATCH", `/api/channels/${channel.id}`, { settings: { breaker: { consecutiveFailures: 2, probeIntervalMs: 0 } } })).status).toBe(200);
		expect((await chat(key, hello(model))).status).toBe(502);
		await until(async () => (await health(channel.id)).state === "open");
	});
});
