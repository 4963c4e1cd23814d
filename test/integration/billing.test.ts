// Prices applied by the relay and charged through the queue and the ledger, end to end inside workerd.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { forgetPrices } from "../../src/billing/price-book";
import { call, createChannel, createKey, uid } from "../support/gateway";

async function insertPrice(model: string, inputNusd: number, outputNusd: number): Promise<number> {
	const row = await env.DB.prepare("INSERT INTO prices (model, input_nusd_per_mtok, output_nusd_per_mtok, valid_from) VALUES (?, ?, ?, 0) RETURNING id")
		.bind(model, inputNusd, outputNusd)
		.first<{ id: number }>();
	forgetPrices();
	if (!row) throw new Error("no price");
	return row.id;
}

/** `mark` is the client's correlation id: the gateway keys the request by an id of its own. */
function post(key: string, body: unknown, mark: string, signal?: AbortSignal) {
	return call("/v1/chat/completions", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-client-request-id": mark },
		body: JSON.stringify(body),
		...(signal ? { signal } : {}),
	});
}

async function waitForRows(marks: string[], timeoutMs = 30_000) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		let found = 0;
		for (let i = 0; i < marks.length; i += 90) {
			const part = marks.slice(i, i + 90);
			const row = await env.DB.prepare(`SELECT count(*) AS n FROM usage_logs WHERE client_request_id IN (${part.map(() => "?").join(",")})`)
				.bind(...part)
				.first<{ n: number }>();
			found += row?.n ?? 0;
		}
		if (found === marks.length) return;
		if (Date.now() > until) throw new Error(`only ${found} of ${marks.length} usage rows arrived`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

describe("pricing", () => {
	it("refuses a model without a price unless the operator allows free use", async () => {
		const model = `unpriced-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		const { key } = await createKey();
		const strict = { ...env, ALLOW_UNPRICED_MODELS: "false" as const };
		const request = () =>
			new Request("http://gateway.test/v1/chat/completions", {
				method: "POST",
				headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
				body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
			});
		const refused = await worker.fetch(request(), strict, createExecutionContext());
		expect(refused.status).toBe(403);
		const body = (await refused.json()) as { error: { code: string; message: string; param: string } };
		expect(body.error).toMatchObject({ code: "model_not_priced", param: "model" });
		expect(body.error.message).toContain(`PUT /api/prices/${model}`);

		await insertPrice(model, 1_000_000_000, 2_000_000_000);
		expect((await worker.fetch(request(), strict, createExecutionContext())).status).toBe(200);
	});
});

describe("500 requests, mixed models, streamed or not, some cut short", () => {
	it("ledger debits = usage costs = the change in balance and key spend, each cost at its price", async () => {
		const tag = uid();
		const group = `vip-${tag}`;
		await env.DB.prepare('INSERT INTO group_pricing ("group", multiplier) VALUES (?, 1.5)').bind(group).run();
		const user = await env.DB.prepare('INSERT INTO users (name, "group") VALUES (?, ?) RETURNING id').bind(`billing-${tag}`, group).first<{ id: number }>();
		if (!user) throw new Error("no user");
		const models = { [`cheap-${tag}`]: [150_000_000, 600_000_000], [`dear-${tag}`]: [3_000_000_000, 15_000_000_000] } as const;
		const priceIds: Record<string, number> = {};
		for (const [model, [input, output]] of Object.entries(models)) priceIds[model] = await insertPrice(model, input, output);
		await createChannel({ type: "mock", models: Object.keys(models), groups: [group], settings: { chunk_delay_ms: 1 } });
		const { id: tokenId, key } = await createKey({ user_id: user.id });

		const ids: string[] = [];
		let aborted = 0;
		const one = async (i: number) => {
			const requestId = `bill-${tag}-${i}`;
			ids.push(requestId);
			const model = Object.keys(models)[i % 2] ?? "";
			const stream = i % 3 !== 0;
			const body = { model, stream, max_tokens: 5 + (i % 17), messages: [{ role: "user", content: `question ${i} ${"x".repeat(i % 50)}` }] };
			if (stream && i % 7 === 1) {
				// Cut short: read the first chunk and hang up.
				const controller = new AbortController();
				const res = await post(key, body, requestId, controller.signal);
				const reader = res.body?.getReader();
				await reader?.read();
				await reader?.cancel();
				controller.abort();
				aborted++;
				return;
			}
			const res = await post(key, body, requestId);
			expect(res.status).toBe(200);
			await res.text();
		};
		for (let i = 0; i < 500; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => one(i + k)));
		await waitForRows(ids);

		const marks = `'bill-${tag}-%'`;
		const usage = await env.DB.prepare(
			`SELECT request_id, model, prompt_tokens, completion_tokens, cost_nusd, price_id, partial, status FROM usage_logs WHERE client_request_id LIKE ${marks}`,
		).all<{
			request_id: string;
			model: string;
			prompt_tokens: number;
			completion_tokens: number;
			cost_nusd: number;
			price_id: number;
			partial: number;
			status: number;
		}>();
		expect(usage.results).toHaveLength(500);
		let costs = 0;
		for (const r of usage.results) {
			const price = models[r.model as keyof typeof models];
			if (!price) throw new Error(`unexpected model ${r.model}`);
			const [input, output] = price;
			expect(r.price_id).toBe(priceIds[r.model]);
			expect(r.cost_nusd).toBe(Math.round(((r.prompt_tokens * input + r.completion_tokens * output) / 1_000_000) * 1.5));
			costs += r.cost_nusd;
		}
		const partial = usage.results.filter((r) => r.partial === 1);
		expect(partial.length).toBeGreaterThanOrEqual(aborted * 0.8);
		for (const r of partial) expect(r.status).toBe(499);

		const ledger = await env.DB.prepare(
			`SELECT count(*) AS n, sum(amount_nusd) AS total FROM ledger_entries WHERE request_id IN (SELECT request_id FROM usage_logs WHERE client_request_id LIKE ${marks})`,
		).first<{
			n: number;
			total: number;
		}>();
		const balance = await env.DB.prepare("SELECT balance_nusd AS b FROM users WHERE id = ?").bind(user.id).first<{ b: number }>();
		const spent = await env.DB.prepare("SELECT spent_nusd AS s FROM tokens WHERE id = ?").bind(tokenId).first<{ s: number }>();
		expect(costs).toBeGreaterThan(0);
		expect(ledger?.n).toBe(usage.results.filter((r) => r.cost_nusd > 0).length);
		expect(-(ledger?.total ?? 0)).toBe(costs);
		expect(-(balance?.b ?? 0)).toBe(costs);
		expect(spent?.s).toBe(costs);
	}, 120_000);
});
