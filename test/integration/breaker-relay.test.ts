// The relay and the channel breakers together: failing channels stop getting traffic without the client noticing,
// come back through one trial request, and only the channel's own faults count.
import { describe, expect, it } from "vitest";
import { admin, call, chat, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

interface Health {
	state: string;
	consecutive_failures: number;
	disabled_reason: string | null;
	retry_at: string | null;
}

async function health(id: number): Promise<Health> {
	return (await admin("GET", `/api/channels/${id}/health`)).json();
}

interface ModelHealth {
	model: string;
	state: string;
	retry_at: string | null;
	consecutive_failures: number;
	last_error: string | null;
	opened_by: string | null;
}

async function modelHealth(id: number, model: string): Promise<ModelHealth | undefined> {
	const all = ((await health(id)) as Health & { models: ModelHealth[] }).models;
	return all.find((m) => m.model === model);
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
		// A 500 concerns the model: its breaker on the channel opens, the channel's own stays closed.
		await until(async () => (await modelHealth(failing.id, model))?.state === "open");
		expect((await health(failing.id)).state).toBe("closed");
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
		await until(async () => (await modelHealth(failing.id, model))?.state === "closed");
	});

	it("open the whole channel when its host cannot be reached, for every model it serves", async () => {
		const tag = uid();
		const [a, b] = [`cbhost-a-${tag}`, `cbhost-b-${tag}`];
		const down = await createChannel({ base_url: upstream(`${tag}-down`, "reset"), models: [a, b], priority: 10, settings: { breaker: fast } });
		await createChannel({ base_url: upstream(`${tag}-up`, "ok"), models: [a, b] });
		const { key } = await createKey();
		for (let i = 0; i < 3; i++) expect((await chat(key, hello(a))).status).toBe(200);
		await until(async () => (await health(down.id)).state === "open");
		const res = await chat(key, hello(b));
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-attempts")).toBe("1");
		expect((await upstreamLog(`${tag}-down`)).length).toBe(3);
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
		await until(async () => (await modelHealth(only.id, model))?.state === "open");
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
		await until(async () => (await modelHealth(channel.id, model))?.consecutive_failures === 2);
		expect((await modelHealth(channel.id, model))?.state).toBe("closed");
		// Two failures in a row now suffice: the next one opens it.
		expect((await admin("PATCH", `/api/channels/${channel.id}`, { settings: { breaker: { consecutiveFailures: 2, probeIntervalMs: 0 } } })).status).toBe(200);
		expect((await chat(key, hello(model))).status).toBe(502);
		await until(async () => (await modelHealth(channel.id, model))?.state === "open");
	});
});

describe("who is at fault", () => {
	it("never disables a channel for a 400 whose message names billing (the client's field, echoed)", async () => {
		const tag = uid();
		const model = `cbbill-${tag}`;
		const other = `cbbill-ok-${tag}`;
		const channel = await createChannel({
			base_url: upstream(tag, "ok"),
			models: [model, other],
			model_mapping: { [model]: "scenario/billing-400" },
			settings: { breaker: fast },
		});
		const { key } = await createKey();
		for (let i = 0; i < 5; i++) {
			const res = await chat(key, { ...hello(model), billing: true });
			expect(res.status).toBe(400);
			expect(((await res.json()) as { error: { message: string } }).error.message).toContain("Unrecognized request argument supplied: billing");
		}
		for (let i = 0; i < 3; i++) expect((await chat(key, hello(other))).status).toBe(200);
		expect(await health(channel.id)).toMatchObject({ state: "closed", disabled_reason: null, consecutive_failures: 0 });
		expect((await upstreamLog(tag)).length).toBe(8);
	});

	it("disables a channel whose account cannot pay, by the upstream's error code", async () => {
		const tag = uid();
		const model = `cbquota-${tag}`;
		const channel = await createChannel({ base_url: upstream(`${tag}-quota`, "quota-429"), models: [model], priority: 10, settings: { breaker: fast } });
		await createChannel({ base_url: upstream(`${tag}-ok`, "ok"), models: [model] });
		const { key } = await createKey();
		expect((await chat(key, hello(model))).status).toBe(200);
		await until(async () => (await health(channel.id)).state === "disabled");
		expect((await health(channel.id)).disabled_reason).toContain("quota");
	});
});

describe("breakers per model", () => {
	it.each([
		["status-429", 429],
		["status-500", 502],
		["status-404", 502],
	])("a model whose upstream answers %s leaves the channel's other models served, with no client-visible error", async (failing, status) => {
		const tag = uid();
		const [sick, well] = [`cbm-sick-${tag}`, `cbm-well-${tag}`];
		const channel = await createChannel({
			base_url: upstream(tag, "ok"),
			models: [sick, well],
			model_mapping: { [sick]: `scenario/${failing}` },
			settings: { breaker: { ...fast, cooldownMs: 60_000, maxCooldownMs: 60_000 } },
		});
		const { key } = await createKey();
		for (let i = 0; i < 3; i++) {
			expect((await chat(key, hello(sick))).status).toBe(status);
			expect((await chat(key, hello(well))).status).toBe(200);
		}
		await until(async () => (await modelHealth(channel.id, sick))?.state === "open");
		const tried = (await upstreamLog(tag)).filter((r) => r.body.model === `scenario/${failing}`).length;

		// The sick model fails fast without reaching the upstream; the well one never notices.
		const refused = await chat(key, hello(sick));
		expect(refused.status).toBe(status === 429 ? 429 : 503);
		expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(Number(refused.headers.get("retry-after-ms"))).toBeGreaterThan(0);
		for (let i = 0; i < 5; i++) expect((await chat(key, hello(well))).status).toBe(200);
		expect((await upstreamLog(tag)).filter((r) => r.body.model === `scenario/${failing}`).length).toBe(tried);

		const h = (await health(channel.id)) as Health & { models: ModelHealth[] };
		expect(h).toMatchObject({ state: "closed", consecutive_failures: 0 });
		expect(h.models.find((m) => m.model === sick)).toMatchObject({
			state: "open",
			opened_by: status === 429 ? "rate_limit" : "failures",
			last_error: expect.stringContaining(failing.slice(-3)),
		});
		expect(h.models.find((m) => m.model === well)?.state ?? "closed").toBe("closed");

		// The operator's reset reopens every model of the channel.
		await admin("POST", `/api/channels/${channel.id}/health/reset`);
		expect((await modelHealth(channel.id, sick))?.state).toBe("closed");
	});

	it("answers 429 in the client's dialect when every channel for a model is cooling down after rate limits", async () => {
		const tag = uid();
		const model = `cbm-429-${tag}`;
		const a = await createChannel({ base_url: upstream(`${tag}-a`, "status-429"), models: [model], settings: { breaker: fast } });
		const b = await createChannel({ base_url: upstream(`${tag}-b`, "status-429"), models: [model], settings: { breaker: fast } });
		const { key } = await createKey();
		const first = await chat(key, hello(model));
		expect(first.status).toBe(429);
		expect(first.headers.get("retry-after")).toBe("7");
		for (const id of [a.id, b.id]) await until(async () => (await modelHealth(id, model))?.state === "open");
		const openai = await chat(key, hello(model));
		expect(openai.status).toBe(429);
		expect(Number(openai.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(Number(openai.headers.get("retry-after"))).toBeLessThanOrEqual(7);
		expect(await openai.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
		const anthropic = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "content-type": "application/json" },
			body: JSON.stringify({ ...hello(model), max_tokens: 16 }),
		});
		expect(anthropic.status).toBe(429);
		expect(anthropic.headers.get("retry-after")).not.toBeNull();
		expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
		const gemini = await call(`/v1beta/models/${model}:generateContent`, {
			method: "POST",
			headers: { "x-goog-api-key": key, "content-type": "application/json" },
			body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
		});
		expect(gemini.status).toBe(429);
		expect(await gemini.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
		expect((await upstreamLog(`${tag}-a`)).length + (await upstreamLog(`${tag}-b`)).length).toBe(2);
	});
});
