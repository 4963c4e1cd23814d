import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { wavFile } from "../../src/lib/wav";
import { admin, call, chat, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

/** A model no other test uses, on one channel of the mock upstream behaving as `scenario` and logging under `tag`. */
async function model(scenario = "ok", price?: Record<string, number>, tag = uid()) {
	const name = `gov-${uid()}`;
	await createChannel({ base_url: upstream(tag, scenario), models: [name] });
	if (price) expect((await admin("PUT", `/api/prices/${name}`, price)).status).toBe(200);
	return name;
}

// 27 prompt tokens by the gateway's estimate (a 60-letter word, and the message's framing); the mock reports 11.
const ask = (m: string, extra: Record<string, unknown> = {}) => ({ model: m, messages: [{ role: "user", content: "x".repeat(60) }], ...extra });

/** Reads what is left of each response, so that no stream is left hanging. */
const drain = (responses: Response[]) => Promise.all(responses.map((r) => (r.bodyUsed ? undefined : r.text())));

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; type: string; message: string } }>()).error;

async function settled(tokenId: number) {
	for (let i = 0; i < 100; i++) {
		const view = await (await admin("GET", `/api/tokens/${tokenId}/limits`)).json<{ in_flight: number }>();
		if (view.in_flight === 0) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error("requests still in flight");
}

describe("budgets under concurrency", () => {
	it("200 concurrent requests against a budget that covers 50 never spend past it, and the key's spend equals its usage", async () => {
		// $1 / $2 per million input / output tokens, cache reads $0.50: the mock's usage (11 prompt, 3 of them cached,
		// 7 completion) costs 23,500 nano-USD. The hold for each request is the estimate: 27 prompt + 7 output tokens.
		const m = await model("ok", { input_usd_per_mtok: 1, output_usd_per_mtok: 2, cached_input_usd_per_mtok: 0.5 });
		const perRequest = 23_500;
		const budget = 50 * perRequest;
		const { id, key } = await createKey({ quota_usd: budget / 1e9 });

		const responses = await Promise.all(Array.from({ length: 200 }, () => chat(key, ask(m, { max_tokens: 7 }))));
		const statuses = responses.map((r) => r.status);
		expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
		const ok = statuses.filter((s) => s === 200).length;
		expect(ok).toBeGreaterThan(0);
		expect(ok).toBeLessThanOrEqual(50);
		const refused = responses.find((r) => r.status === 402);
		if (refused) expect(await errorOf(refused)).toMatchObject({ code: "insufficient_quota", type: "insufficient_quota" });
		await drain(responses);

		await Promise.all(responses.map((r) => usageRow(r.headers.get("x-request-id") ?? "", 20_000)));
		await settled(id);
		const sum = await env.DB.prepare("SELECT coalesce(sum(cost_nusd), 0) AS c, count(*) AS n FROM usage_logs WHERE token_id = ? AND status = 200")
			.bind(id)
			.first<{ c: number; n: number }>();
		expect(sum).toEqual({ c: ok * perRequest, n: ok });
		expect(sum?.c).toBeLessThanOrEqual(budget);
		// The ledger (the key's spend) and the governor agree with the usage records.
		const token = await (await admin("GET", `/api/tokens/${id}`)).json<{ spent_usd: number; quota_usd: number }>();
		expect(token).toMatchObject({ spent_usd: (ok * perRequest) / 1e9, quota_usd: budget / 1e9 });
		const standing = await (await admin("GET", `/api/tokens/${id}/limits`)).json<{ spent_usd: { total: number }; held_usd: number }>();
		expect(standing).toMatchObject({ spent_usd: { total: (ok * perRequest) / 1e9 }, held_usd: 0 });
	}, 30_000);

	// $1,000 per million tokens: a $0.20 budget pays for 200 tokens, and each answer of the mock costs 18 ($0.018).
	const dear = { input_usd_per_mtok: 1_000, output_usd_per_mtok: 1_000 };

	it("at $1000 per million tokens and a $0.20 budget, 200 concurrent requests are served capped or refused 402, never spending past it", async () => {
		// The `long` upstream writes all the output it is allowed: every served request spends all it was granted.
		const tag = uid();
		const m = await model("long", dear, tag);
		const { id, key } = await createKey({ budget_daily_usd: 0.2 });

		const responses = await Promise.all(Array.from({ length: 200 }, () => chat(key, ask(m))));
		const served = responses.filter((r) => r.status === 200);
		const refused = responses.filter((r) => r.status === 402);
		expect(served.length).toBeGreaterThan(0);
		expect(served.length + refused.length).toBe(200);
		expect(await errorOf(refused[0] as Response)).toMatchObject({ code: "insufficient_quota", message: expect.stringContaining("needs at least") });
		// An OpenAI channel takes the cap as max_completion_tokens, which every OpenAI model reads.
		const sent = (await upstreamLog(tag)).map((r) => r.body.max_completion_tokens);
		for (const res of served) {
			// Capped to what the budget paid for when it was admitted, sent upstream, and used in full.
			const cap = Number(res.headers.get("x-gateway-max-tokens-capped"));
			expect(cap).toBeGreaterThanOrEqual(16);
			expect(cap).toBeLessThan(1_024);
			expect(sent).toContain(cap);
			expect((await res.json<{ usage: { completion_tokens: number } }>()).usage.completion_tokens).toBe(cap);
		}
		await drain(responses);

		await Promise.all(responses.map((r) => usageRow(r.headers.get("x-request-id") ?? "", 20_000)));
		await settled(id);
		const spent = await env.DB.prepare("SELECT coalesce(sum(cost_nusd), 0) AS c FROM usage_logs WHERE token_id = ?").bind(id).first<{ c: number }>();
		expect(spent?.c).toBeGreaterThan(0);
		expect(spent?.c).toBeLessThanOrEqual(200_000_000);
		const standing = await (await admin("GET", `/api/tokens/${id}/limits`)).json<{ spent_usd: { daily: number }; held_usd: number }>();
		expect(standing).toMatchObject({ spent_usd: { daily: (spent?.c ?? 0) / 1e9 }, held_usd: 0 });
	}, 30_000);

	it("serves a small budget on an expensive model until it is spent, each answer capped to what is left, never over it", async () => {
		const m = await model("ok", dear);
		const { id, key } = await createKey({ budget_daily_usd: 0.2 });
		const caps: number[] = [];
		let refusal: Response | undefined;
		for (let i = 0; i < 30 && !refusal; i++) {
			const res = await chat(key, ask(m));
			if (res.status !== 200) refusal = res;
			else {
				caps.push(Number(res.headers.get("x-gateway-max-tokens-capped")));
				await usageRow(res.headers.get("x-request-id") ?? "");
				await settled(id);
			}
		}
		// 27 prompt tokens and at least 16 output tokens must fit: 43 of the 200; each answer spends 18.
		expect(caps.length).toBe(9);
		expect(caps[0]).toBe(200 - 27);
		expect(caps.at(-1)).toBe(200 - 8 * 18 - 27);
		expect(refusal?.status).toBe(402);
		expect(await errorOf(refusal as Response)).toMatchObject({
			code: "insufficient_quota",
			message:
				"The daily budget of $0.20 does not cover this request: $0.162000 spent, and this request needs at least $0.043000 (its prompt and 16 output tokens)",
		});
		const token = await (await admin("GET", `/api/tokens/${id}`)).json<{ spent_usd: number }>();
		expect(token.spent_usd).toBe(0.162);
	}, 30_000);

	it("caps the output in every client's dialect, in the field an OpenAI channel reads", async () => {
		const tag = uid();
		const m = await model("ok", dear, tag);
		const headers = (key: string) => ({
			authorization: `Bearer ${key}`,
			"x-api-key": key,
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
		});
		const dialects: [string, (model: string) => Record<string, unknown>][] = [
			["/v1/chat/completions", (model) => ({ model, max_tokens: 1_000, messages: [{ role: "user", content: "hi" }] })],
			["/v1/messages", (model) => ({ model, max_tokens: 1_000, messages: [{ role: "user", content: "hi" }] })],
			["/v1/responses", (model) => ({ model, max_output_tokens: 1_000, input: "hi" })],
			[`/v1beta/models/${m}:generateContent`, () => ({ contents: [{ parts: [{ text: "hi" }] }], generationConfig: { maxOutputTokens: 1_000 } })],
		];
		for (const [path, body] of dialects) {
			const { key } = await createKey({ budget_daily_usd: 0.1 });
			const res = await call(path, { method: "POST", headers: headers(key), body: JSON.stringify(body(m)) });
			expect(res.status, path).toBe(200);
			const cap = Number(res.headers.get("x-gateway-max-tokens-capped"));
			expect(cap, path).toBeGreaterThanOrEqual(16);
			expect(cap, path).toBeLessThan(100);
			const sent = (await upstreamLog(tag)).at(-1)?.body;
			expect(sent?.max_completion_tokens, path).toBe(cap);
			expect(sent, path).not.toHaveProperty("max_tokens");
			await res.text();
		}
		// With room for all it asks, a request goes as it came, with no such header.
		const { key } = await createKey({ budget_daily_usd: 10 });
		const roomy = await chat(key, { model: m, max_tokens: 1_000, messages: [{ role: "user", content: "hi" }] });
		expect(roomy.headers.get("x-gateway-max-tokens-capped")).toBeNull();
		expect((await upstreamLog(tag)).at(-1)?.body.max_tokens).toBe(1_000);
	});
});

describe("budgets and prices by unit", () => {
	/** A model of the offline mock, priced by unit only. */
	async function mockModel(unitUsd: Record<string, number>) {
		const name = `gov-media-${uid()}`;
		await createChannel({ type: "mock", models: [name] });
		expect((await admin("PUT", `/api/prices/${name}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: unitUsd })).status).toBe(200);
		return name;
	}
	const post = (key: string, path: string, body: unknown) =>
		call(path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
	const spent = async (id: number) => (await (await admin("GET", `/api/tokens/${id}`)).json<{ spent_usd: number }>()).spent_usd;

	it("holds the images asked for at their size's price: n beyond the budget is refused 402 up front, never charged past it", async () => {
		const m = await mockModel({ image: 0.04, "image:1024x1536": 0.06 });
		const { id, key } = await createKey({ quota_usd: 0.1 });
		// Two tall images: $0.12 of a $0.10 budget.
		const refused = await post(key, "/v1/images/generations", { model: m, prompt: "a lighthouse", n: 2, size: "1024x1536" });
		expect(refused.status).toBe(402);
		expect(await errorOf(refused)).toMatchObject({ code: "insufficient_quota", message: expect.stringMatching(/may cost up to \$0\.12$/) });
		const served = await post(key, "/v1/images/generations", { model: m, prompt: "a lighthouse", n: 2 });
		expect(served.status).toBe(200);
		expect(await usageRow(served.headers.get("x-request-id") ?? "")).toMatchObject({ unit: "image", units: 2, cost_nusd: 80_000_000 });
		await settled(id);
		// $0.02 left: not one more image.
		expect((await post(key, "/v1/images/generations", { model: m, prompt: "a lighthouse" })).status).toBe(402);
		expect(await spent(id)).toBe(0.08);
	});

	it("holds speech's characters and a transcription's seconds: what the budget cannot pay is refused before it is made", async () => {
		const m = await mockModel({ character: 0.001, audio_second: 0.01 });
		const { id, key } = await createKey({ budget_daily_usd: 0.05 });
		const refused = await post(key, "/v1/audio/speech", { model: m, input: "x".repeat(60), voice: "alloy", response_format: "wav" });
		expect(refused.status).toBe(402);
		expect(await errorOf(refused)).toMatchObject({ code: "insufficient_quota", message: expect.stringMatching(/may cost up to \$0\.06$/) });

		const transcribe = (seconds: number) => {
			const form = new FormData();
			form.append("file", new Blob([wavFile(new Int16Array(1_000 * seconds), 1_000)], { type: "audio/wav" }), "silence.wav");
			form.append("model", m);
			return call("/v1/audio/transcriptions", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
		};
		// Ten seconds of audio: $0.10 of $0.05.
		const long = await transcribe(10);
		expect(long.status).toBe(402);
		expect(await errorOf(long)).toMatchObject({ code: "insufficient_quota", message: expect.stringMatching(/may cost up to \$0\.10$/) });
		const short = await transcribe(2);
		expect(short.status).toBe(200);
		expect(await usageRow(short.headers.get("x-request-id") ?? "")).toMatchObject({ unit: "audio_second", units: 2, cost_nusd: 20_000_000 });
		await settled(id);
		expect(await spent(id)).toBe(0.02);
	});
});

describe("rate limits", () => {
	it("holds RPM under concurrent load, with OpenAI's headers, and lets a request through after Retry-After", async () => {
		const m = await model();
		const { key } = await createKey({ rpm: 60 });
		const started = Date.now();
		const responses = await Promise.all(Array.from({ length: 80 }, () => chat(key, ask(m))));
		const elapsed = Date.now() - started;
		const ok = responses.filter((r) => r.status === 200);
		const limited = responses.filter((r) => r.status === 429);
		expect(ok.length + limited.length).toBe(80);
		// 60 at once, plus the one a second the window refills while the burst lasts.
		expect(ok.length).toBeGreaterThanOrEqual(60);
		expect(ok.length).toBeLessThanOrEqual(60 + Math.ceil(elapsed / 1_000));
		expect(ok[0]?.headers.get("x-ratelimit-limit-requests")).toBe("60");
		const refusal = limited[0];
		if (!refusal) throw new Error("no request was limited");
		expect(await errorOf(refusal)).toMatchObject({
			code: "rate_limit_exceeded",
			type: "rate_limit_error",
			message: expect.stringContaining("60 requests per minute"),
		});
		expect(refusal.headers.get("x-ratelimit-limit-requests")).toBe("60");
		expect(refusal.headers.get("x-ratelimit-remaining-requests")).toBe("0");
		expect(refusal.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(ms|(\.\d+)?s)$/);
		const retryAfter = Number(refusal.headers.get("retry-after"));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		await drain(responses);

		await new Promise((r) => setTimeout(r, retryAfter * 1_000));
		expect((await chat(key, ask(m))).status).toBe(200);
	});

	it("holds TPM: each request holds its estimate until it ends", async () => {
		// Slow streams keep their holds while the others arrive: 27 + 23 = 50 estimated tokens each.
		const m = await model("slow");
		const { id, key } = await createKey({ tpm: 100 });
		const body = ask(m, { max_tokens: 23, stream: true });
		const responses = await Promise.all(Array.from({ length: 6 }, () => chat(key, body)));
		expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429, 429]);
		const refusal = responses.find((r) => r.status === 429);
		expect(refusal?.headers.get("x-ratelimit-limit-tokens")).toBe("100");
		expect(Number(refusal?.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(50);
		expect(await errorOf(refusal as Response)).toMatchObject({ code: "rate_limit_exceeded", message: expect.stringContaining("100 tokens per minute") });
		await drain(responses);
		// The mock used 18 tokens each, not 50: once settled, the window has room again.
		await settled(id);
		expect((await chat(key, ask(m, { max_tokens: 23 }))).status).toBe(200);
	});

	it("holds max_concurrency and frees the slots when the streams end", async () => {
		const m = await model("slow");
		const { id, key } = await createKey({ max_concurrency: 2 });
		const responses = await Promise.all(Array.from({ length: 5 }, () => chat(key, ask(m, { stream: true }))));
		expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429]);
		const refusal = responses.find((r) => r.status === 429);
		expect(refusal?.headers.get("retry-after")).toBe("1");
		expect((await errorOf(refusal as Response)).message).toContain("2 at a time");
		const during = await (await admin("GET", `/api/tokens/${id}/limits`)).json<{ in_flight: number }>();
		expect(during.in_flight).toBe(2);
		await drain(responses);
		await settled(id);
		expect((await chat(key, ask(m, { stream: true }))).status).toBe(200);
	});

	it("speaks Anthropic's format on /v1/messages: rate_limit_error with anthropic-ratelimit-* headers, billing_error for budgets", async () => {
		const m = await model();
		const { key } = await createKey({ rpm: 1 });
		const messages = (k: string) =>
			call("/v1/messages", {
				method: "POST",
				headers: { "x-api-key": k, "anthropic-version": "2023-06-01", "content-type": "application/json" },
				body: JSON.stringify({ model: m, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
			});
		const first = await messages(key);
		expect(first.status).toBe(200);
		expect(first.headers.get("anthropic-ratelimit-requests-limit")).toBe("1");
		expect(first.headers.get("anthropic-ratelimit-requests-reset")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		expect(first.headers.get("x-ratelimit-limit-requests")).toBeNull();
		const second = await messages(key);
		expect(second.status).toBe(429);
		expect(second.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
		expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(await second.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "Rate limit reached: 1 requests per minute" } });

		const priced = await model("ok", { input_usd_per_mtok: 1_000, output_usd_per_mtok: 1_000 });
		const { key: poor } = await createKey({ budget_daily_usd: 0.0001 });
		const broke = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": poor, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ model: priced, max_tokens: 1_000, messages: [{ role: "user", content: "hi" }] }),
		});
		expect(broke.status).toBe(402);
		expect(await broke.json()).toMatchObject({ type: "error", error: { type: "billing_error", message: expect.stringContaining("daily budget of $0.0001") } });
	});
});

describe("limits per user and per group", () => {
	it("counts all of a user's keys together", async () => {
		const m = await model();
		const user = await (await admin("POST", "/api/users", { name: `u-${uid()}`, rpm: 2 })).json<{ id: number; rpm: number }>();
		expect(user.rpm).toBe(2);
		const a = await createKey({ user_id: user.id });
		const b = await createKey({ user_id: user.id });
		expect((await chat(a.key, ask(m))).status).toBe(200);
		expect((await chat(b.key, ask(m))).status).toBe(200);
		const third = await chat(a.key, ask(m));
		expect(third.status).toBe(429);
		expect((await errorOf(third)).message).toContain("2 requests per minute");
		const standing = await (await admin("GET", `/api/users/${user.id}/limits`)).json<{ requests: { limit: number; remaining: number } }>();
		expect(standing.requests).toMatchObject({ limit: 2, remaining: 0 });
	});

	it("counts a group's users together, and reads past spend from the ledger when a limit is set", async () => {
		const m = await model("ok", { input_usd_per_mtok: 1, output_usd_per_mtok: 2, cached_input_usd_per_mtok: 0.5 });
		const group = `g-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [m], groups: [group] });
		const users = [];
		for (let i = 0; i < 2; i++) users.push(await (await admin("POST", "/api/users", { name: `u-${uid()}`, group })).json<{ id: number }>());
		const keys = [];
		for (const u of users) keys.push(await createKey({ user_id: u.id }));
		// Spent before the group had a limit: 2 × 23,500 nano-USD.
		for (const k of keys)
			expect(await usageRow((await chat(k.key, ask(m, { max_tokens: 7 }))).headers.get("x-request-id") ?? "")).toMatchObject({ cost_nusd: 23_500 });
		await new Promise((r) => setTimeout(r, 300));
		const set = await admin("PUT", `/api/groups/${group}`, { budget_monthly_usd: 0.0001 });
		expect(await set.json()).toMatchObject({ group, price_multiplier: 1, budget_monthly_usd: 0.0001, rpm: null });
		const standing = await (await admin("GET", `/api/groups/${group}/limits`)).json<{ spent_usd: { monthly: number } }>();
		expect(standing.spent_usd.monthly).toBe(0.000047);
		// $0.0001 - $0.000047 leaves room for one more (held at $0.000041), not two.
		expect((await chat(keys[0]?.key ?? "", ask(m, { max_tokens: 7 }))).status).toBe(200);
		await new Promise((r) => setTimeout(r, 300));
		const refused = await chat(keys[1]?.key ?? "", ask(m, { max_tokens: 7 }));
		expect(refused.status).toBe(402);
		expect((await errorOf(refused)).message).toContain("monthly budget of $0.0001");
	});
});

describe("limits in the admin API", () => {
	it("sets, shows and clears a key's limits; rate-limit headers only for keys that have limits", async () => {
		const m = await model();
		const { id, key } = await createKey();
		const plain = await chat(key, ask(m));
		expect(plain.headers.get("x-ratelimit-limit-requests")).toBeNull();
		const patched = await admin("PATCH", `/api/tokens/${id}`, {
			rpm: 100,
			tpm: 10_000,
			max_concurrency: 4,
			budget_daily_usd: 1.5,
			budget_monthly_usd: 20,
			quota_usd: 100,
		});
		expect(await patched.json()).toMatchObject({ rpm: 100, tpm: 10_000, max_concurrency: 4, budget_daily_usd: 1.5, budget_monthly_usd: 20, quota_usd: 100 });
		const limited = await chat(key, ask(m, { max_tokens: 100 }));
		expect(limited.status).toBe(200);
		expect(limited.headers.get("x-ratelimit-limit-requests")).toBe("100");
		expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("99");
		expect(limited.headers.get("x-ratelimit-limit-tokens")).toBe("10000");
		// 27 prompt tokens and 100 output tokens held.
		expect(limited.headers.get("x-ratelimit-remaining-tokens")).toBe("9873");
		await settled(id);
		const standing = await (await admin("GET", `/api/tokens/${id}/limits`)).json();
		expect(standing).toMatchObject({
			limits: { rpm: 100, tpm: 10_000, max_concurrency: 4, budget_daily_usd: 1.5, budget_monthly_usd: 20, quota_usd: 100 },
			in_flight: 0,
			requests: { limit: 100, remaining: expect.any(Number), reset_ms: expect.any(Number) },
			tokens: { limit: 10_000 },
			spent_usd: { daily: 0, monthly: 0, total: 0 },
			held_usd: 0,
		});
		const cleared = await admin("PATCH", `/api/tokens/${id}`, {
			rpm: null,
			tpm: null,
			max_concurrency: null,
			budget_daily_usd: null,
			budget_monthly_usd: null,
			quota_usd: null,
		});
		expect(await cleared.json()).toMatchObject({ rpm: null, quota_usd: null });
		expect((await chat(key, ask(m))).headers.get("x-ratelimit-limit-requests")).toBeNull();
	});

	it("refuses with 503 limits_unavailable, not unlimited, when a governor cannot be reached", async () => {
		const m = await model();
		const { id, key } = await createKey({ quota_usd: 1 });
		const stub = env.KEY_GOVERNOR.getByName(`token:${id}`);
		// Every governor in this test file's runtime fails to reserve until restored.
		const proto = await runInDurableObject(stub, (instance) => Object.getPrototypeOf(instance) as { reserve: unknown });
		const reserve = proto.reserve;
		proto.reserve = async () => {
			throw new Error("storage unavailable");
		};
		try {
			const res = await chat(key, ask(m));
			expect(res.status).toBe(503);
			expect(res.headers.get("retry-after")).toBe("1");
			expect(await errorOf(res)).toMatchObject({ code: "limits_unavailable", message: "This key's limits could not be checked just now; try again" });
		} finally {
			proto.reserve = reserve;
		}
		expect((await chat(key, ask(m))).status).toBe(200);
	});

	it("refuses limits that make no sense", async () => {
		const { id } = await createKey();
		for (const body of [{ rpm: 0 }, { tpm: -5 }, { max_concurrency: 1.5 }, { budget_daily_usd: -1 }, { quota_usd: "ten" }]) {
			const res = await admin("PATCH", `/api/tokens/${id}`, body);
			expect(res.status).toBe(400);
			expect((await errorOf(res)).code).toBe("invalid_request");
		}
		expect((await admin("PUT", "/api/groups/x", {})).status).toBe(400);
	});
});
