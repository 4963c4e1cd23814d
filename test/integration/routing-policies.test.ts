// The routing policies through the real routes, on loopback upstreams: each spreads (or keeps) traffic as it
// promises, counted per channel, and failover still never tries a channel twice.
import { describe, expect, it } from "vitest";
import { admin, chat, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

const ask = (model: string, user?: string) => ({ model, messages: [{ role: "user", content: "hi" }], ...(user ? { user } : {}) });
// Breakers that stay closed: these tests are about the order of healthy and failing channels, not about opening.
const patient = { breaker: { consecutiveFailures: 1_000, minRequests: 1_000_000, probeIntervalMs: 0 } };

async function route(name: string, body: Record<string, unknown>): Promise<void> {
	const res = await admin("PUT", `/api/models/${name}`, body);
	if (res.status !== 200) throw new Error(`route failed: ${res.status} ${await res.text()}`);
}

/** Sends `n` requests one after another; the channel that answered each, in order. */
async function answeredBy(key: string, n: number, body: (i: number) => unknown): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < n; i++) {
		const res = await chat(key, body(i));
		expect(res.status).toBe(200);
		await res.arrayBuffer();
		ids.push(res.headers.get("x-gateway-channel") ?? "");
	}
	return ids;
}

const countOf = (ids: readonly string[], id: number) => ids.filter((x) => x === String(id)).length;

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error("condition not reached");
		await new Promise((r) => setTimeout(r, 50));
	}
}

describe("routing policies", () => {
	it("weighted (the default) splits traffic by weight", async () => {
		const model = `w-${uid()}`;
		const heavy = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], weight: 3 });
		const light = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], weight: 1 });
		const { key } = await createKey();
		const ids = await answeredBy(key, 120, () => ask(model));
		// 90 expected; the bounds are more than four standard deviations wide.
		expect(countOf(ids, heavy.id)).toBeGreaterThanOrEqual(70);
		expect(countOf(ids, heavy.id)).toBeLessThanOrEqual(110);
		expect(countOf(ids, heavy.id) + countOf(ids, light.id)).toBe(120);
	});

	it("round_robin gives each channel of a tier the same share, whatever the weights, and keeps tiers first", async () => {
		const model = `rr-${uid()}`;
		const channels = [];
		for (const weight of [1, 5, 10]) channels.push(await createChannel({ base_url: upstream(uid(), "ok"), models: [model], weight }));
		const backup = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], priority: -1 });
		await route(model, { policy: "round_robin" });
		const { key } = await createKey();
		const ids = await answeredBy(key, 30, () => ask(model));
		for (const ch of channels) expect(countOf(ids, ch.id)).toBe(10);
		expect(countOf(ids, backup.id)).toBe(0);
	});

	it("round_robin fails over past a failing channel without trying it twice", async () => {
		const model = `rrf-${uid()}`;
		const tag = uid();
		const failing = await createChannel({ base_url: upstream(`${tag}-bad`, "status-500"), models: [model], settings: patient });
		const good = await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await route(model, { policy: "round_robin" });
		const { key } = await createKey();
		let retried = 0;
		for (let i = 0; i < 10; i++) {
			const res = await chat(key, ask(model));
			expect(res.status).toBe(200);
			expect(res.headers.get("x-gateway-channel")).toBe(String(good.id));
			if (res.headers.get("x-gateway-attempts") === "2") retried++;
		}
		// Every other request starts on the failing channel, which is tried once and left.
		expect(retried).toBe(5);
		expect((await upstreamLog(`${tag}-bad`)).length).toBe(5);
		expect(failing.id).not.toBe(good.id);
	});

	it("least_errors stops trying first a channel whose recent window has failures", async () => {
		const model = `le-${uid()}`;
		const tag = uid();
		const failing = await createChannel({ base_url: upstream(`${tag}-bad`, "status-500"), models: [model], settings: patient });
		const good = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], settings: patient });
		await route(model, { policy: "least_errors" });
		const { key } = await createKey();
		// Until the failing channel has failed once, it is as likely as the other to go first.
		await until(async () => (await chat(key, ask(model))).headers.get("x-gateway-attempts") === "2");
		await until(async () => {
			const health = await (await admin("GET", `/api/channels/${failing.id}/health`)).json<{ models: { model: string; window: { failures: number } }[] }>();
			return (health.models.find((m) => m.model === model)?.window.failures ?? 0) > 0;
		});
		const tried = (await upstreamLog(`${tag}-bad`)).length;
		for (let i = 0; i < 30; i++) {
			const res = await chat(key, ask(model));
			expect(res.status).toBe(200);
			expect(res.headers.get("x-gateway-attempts")).toBe("1");
			expect(res.headers.get("x-gateway-channel")).toBe(String(good.id));
		}
		expect((await upstreamLog(`${tag}-bad`)).length).toBe(tried);
	});

	it("lowest_latency moves traffic away from a channel made slow within a couple of requests", async () => {
		const model = `ll-${uid()}`;
		const a = await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const b = await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await route(model, { policy: "lowest_latency" });
		const { key } = await createKey();
		// Both are measured first: a channel without a sample goes first.
		const warm = await answeredBy(key, 6, () => ask(model));
		expect(countOf(warm, a.id)).toBeGreaterThan(0);
		expect(countOf(warm, b.id)).toBeGreaterThan(0);

		await admin("PATCH", `/api/channels/${a.id}`, { base_url: upstream(uid(), "slow-headers") });
		const after = await answeredBy(key, 20, () => ask(model));
		// One slow answer is enough to learn it: its average then stands far above the other's (two allowed, for a loaded machine).
		expect(countOf(after, a.id)).toBeLessThanOrEqual(2);
		expect(countOf(after.slice(2), b.id)).toBe(18);
	});

	it("lowest_latency fails over past a failing channel, tries it once, then puts it last", async () => {
		const model = `llf-${uid()}`;
		const tag = uid();
		await createChannel({ base_url: upstream(`${tag}-bad`, "status-500"), models: [model], settings: patient });
		const good = await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await route(model, { policy: "lowest_latency" });
		const { key } = await createKey();
		for (let i = 0; i < 10; i++) {
			const res = await chat(key, ask(model));
			expect(res.status).toBe(200);
			expect(res.headers.get("x-gateway-channel")).toBe(String(good.id));
		}
		expect((await upstreamLog(`${tag}-bad`)).length).toBeLessThanOrEqual(1);
	});

	it("consistent_hash keeps each user on one channel, spreads users, and moves only the users of a channel removed", async () => {
		const model = `ch-${uid()}`;
		const channels = [];
		for (let i = 0; i < 3; i++) channels.push(await createChannel({ base_url: upstream(uid(), "ok"), models: [model] }));
		await route(model, { policy: "consistent_hash", hash_on: "user" });
		const { key } = await createKey();
		const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
		const first = await answeredBy(key, users.length, (i) => ask(model, users[i]));
		const second = await answeredBy(key, users.length, (i) => ask(model, users[i]));
		expect(second).toEqual(first);
		for (const ch of channels) expect(countOf(first, ch.id)).toBeGreaterThan(0);

		const [gone] = channels;
		if (!gone) throw new Error("no channel");
		await admin("PATCH", `/api/channels/${gone.id}`, { status: "disabled" });
		const third = await answeredBy(key, users.length, (i) => ask(model, users[i]));
		for (const [i, was] of first.entries()) {
			if (was === String(gone.id)) expect(third[i]).not.toBe(was);
			else expect(third[i]).toBe(was);
		}
	});

	it("consistent_hash fails over from a user's failing channel to the same next channel every time", async () => {
		const model = `chf-${uid()}`;
		const tag = uid();
		await createChannel({ base_url: upstream(`${tag}-bad`, "status-500"), models: [model], settings: patient });
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await route(model, { policy: "consistent_hash" });
		const { key } = await createKey();
		const users = Array.from({ length: 30 }, (_, i) => `u-${i}`);
		const once = await answeredBy(key, users.length, (i) => ask(model, users[i]));
		const twice = await answeredBy(key, users.length, (i) => ask(model, users[i]));
		expect(twice).toEqual(once);
		// Each request that started on the failing channel tried it once only.
		const bad = await upstreamLog(`${tag}-bad`);
		expect(bad.length).toBeGreaterThan(0);
		expect(bad.length % 2).toBe(0);
		expect(new Set(bad.map((r) => r.body.user)).size).toBe(bad.length / 2);
	});

	it("consistent_hash on the key keeps each key on one channel whatever end user it names", async () => {
		const model = `chk-${uid()}`;
		for (let i = 0; i < 3; i++) await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		await route(model, { policy: "consistent_hash", hash_on: "key" });
		const seen = new Set<string>();
		for (let k = 0; k < 10; k++) {
			const { key } = await createKey();
			const ids = await answeredBy(key, 3, (i) => ask(model, `someone-${i}`));
			expect(new Set(ids).size).toBe(1);
			seen.add(ids[0] ?? "");
		}
		// Ten keys over three channels all on one: a chance of 1 in 20,000 for a fair hash.
		expect(seen.size).toBeGreaterThan(1);
	});

	it("an alias lends its policy to the models of its chain", async () => {
		const model = `al-${uid()}`;
		const one = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], weight: 100 });
		const two = await createChannel({ base_url: upstream(uid(), "ok"), models: [model], weight: 1 });
		const alias = `rr-alias-${uid()}`;
		await route(alias, { chain: [model], policy: "round_robin" });
		const { key } = await createKey();
		const ids = await answeredBy(key, 10, () => ask(alias));
		expect(countOf(ids, one.id)).toBe(5);
		expect(countOf(ids, two.id)).toBe(5);
	});
});
