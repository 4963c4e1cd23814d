// Model aliases in the relay: a chain's next model answers when every channel of one is exhausted before the first
// byte, the answer says which model gave it, and it is billed at that model's price.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { nextModelAfter } from "../../src/relay/aliases";
import { admin, call, chat, createChannel, createKey, readSse, uid, upstream, usageRow } from "../support/gateway";

const hello = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });
const requestId = (res: Response) => res.headers.get("x-request-id") ?? "";

/** An alias over two fresh models: the first served by one channel in `scenario`, the second by one that answers. */
async function chainOf(scenario: string) {
	const tag = uid();
	const first = `first-${tag}`;
	const second = `second-${tag}`;
	const failing = await createChannel({ base_url: upstream(`${tag}-a`, scenario), models: [first] });
	const answering = await createChannel({ base_url: upstream(`${tag}-b`, "ok"), models: [second] });
	const alias = `smart-${tag}`;
	const put = await admin("PUT", `/api/models/${alias}`, { chain: [first, second] });
	if (put.status !== 200) throw new Error(`alias failed: ${put.status} ${await put.text()}`);
	return { alias, first, second, failing, answering };
}

async function setPrice(model: string, input: number, output: number): Promise<void> {
	const res = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: input, output_usd_per_mtok: output });
	if (res.status !== 200) throw new Error(`price failed: ${res.status}`);
}

describe("model aliases in the relay", () => {
	it("answers from the chain's next model when the first one's only channel fails, and says which model answered", async () => {
		const { alias, second, failing, answering } = await chainOf("status-500");
		const { key } = await createKey();
		const res = await chat(key, hello(alias));
		expect(res.status).toBe(200);
		expect((await res.json<{ model: string }>()).model).toBe(second);
		expect(res.headers.get("x-gateway-model")).toBe(second);
		expect(res.headers.get("x-gateway-channel")).toBe(String(answering.id));
		expect(res.headers.get("x-gateway-attempts")).toBe("2");
		const row = await usageRow(requestId(res));
		expect(row).toMatchObject({ model: second, channel_id: answering.id, attempts: 2, status: 200 });
		expect(row.channel_id).not.toBe(failing.id);
	});

	it("says the answering model in a translated answer and in a stream", async () => {
		const { alias, second } = await chainOf("status-503");
		const { key } = await createKey();
		const messages = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ ...hello(alias), max_tokens: 50 }),
		});
		expect(messages.status).toBe(200);
		expect((await messages.json<{ model: string }>()).model).toBe(second);

		const streamed = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ ...hello(alias), max_tokens: 50, stream: true }),
		});
		expect(streamed.headers.get("x-gateway-model")).toBe(second);
		const { events } = await readSse(streamed);
		const start = events.find((e): e is { type: string; message: { model: string } } => typeof e === "object" && e !== null && "message" in e);
		expect(start?.message.model).toBe(second);

		const response = await call("/v1/responses", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ model: alias, input: "hi", store: false }),
		});
		expect(response.status).toBe(200);
		expect((await response.json<{ model: string }>()).model).toBe(second);
	});

	it("charges the price of the model that answered", async () => {
		const { alias, first, second } = await chainOf("status-500");
		await setPrice(first, 1, 1);
		await setPrice(second, 10, 20);
		const { key } = await createKey();
		const res = await chat(key, hello(alias));
		expect(res.status).toBe(200);
		// The mock reports 11 prompt tokens and 7 completion tokens.
		expect(await usageRow(requestId(res))).toMatchObject({ model: second, cost_nusd: 11 * 10_000 + 7 * 20_000 });
	});

	it("holds a budget for the dearest model of the chain, wherever failover may take the request", async () => {
		const tag = uid();
		const [cheap, dear] = [`cheap-${tag}`, `dear-${tag}`];
		await createChannel({ base_url: upstream(`${tag}-cheap`, "ok"), models: [cheap] });
		await createChannel({ base_url: upstream(`${tag}-dear`, "ok"), models: [dear] });
		await setPrice(cheap, 0.01, 0.01);
		await setPrice(dear, 1_000, 1_000);
		const alias = `smart-${tag}`;
		await admin("PUT", `/api/models/${alias}`, { chain: [cheap, dear] });
		const { key } = await createKey({ budget_daily_usd: 0.1 });
		const direct = await chat(key, { ...hello(cheap), max_tokens: 1_000 });
		expect(direct.status).toBe(200);
		expect(direct.headers.get("x-gateway-max-tokens-capped")).toBeNull();
		await direct.text();
		// The cheap model answers, but the budget could not have paid 1,000 tokens of the dear one had it been needed.
		const aliased = await chat(key, { ...hello(alias), max_tokens: 1_000 });
		expect(aliased.status).toBe(200);
		expect(aliased.headers.get("x-gateway-model")).toBe(cheap);
		const cap = aliased.headers.get("x-gateway-max-tokens-capped");
		expect(cap).not.toBeNull();
		expect(Number(cap)).toBeLessThan(1_000);
		await aliased.text();
	});

	it("does not move on to the next model when the upstream blames the request", async () => {
		const { alias, answering } = await chainOf("billing-400");
		const { key } = await createKey();
		const res = await chat(key, hello(alias));
		expect(res.status).toBe(400);
		expect(res.headers.get("x-gateway-channel")).not.toBe(String(answering.id));
	});

	it("skips a model of the chain that no channel serves", async () => {
		const model = `only-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const alias = `smart-${uid()}`;
		await admin("PUT", `/api/models/${alias}`, { chain: [`nowhere-${uid()}`, model] });
		const res = await chat((await createKey()).key, hello(alias));
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-model")).toBe(model);
		expect(res.headers.get("x-gateway-attempts")).toBe("1");
	});

	it("lets a key that may use the alias use its chain, and refuses a key that may use only a model of it", async () => {
		const { alias, first, second } = await chainOf("status-500");
		const allowed = await createKey({ models: [alias] });
		expect((await chat(allowed.key, hello(alias))).status).toBe(200);
		const narrow = await createKey({ models: [first, second] });
		const refused = await chat(narrow.key, hello(alias));
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("model_not_allowed");
	});

	it("answers a plain model as before, naming it in x-gateway-model", async () => {
		const model = `plain-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const res = await chat((await createKey()).key, hello(model));
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-model")).toBe(model);
	});

	it("fails with the last model's error when every model of the chain is exhausted", async () => {
		const tag = uid();
		const [a, b] = [`a-${tag}`, `b-${tag}`];
		await createChannel({ base_url: upstream(`${tag}-a`, "status-500"), models: [a] });
		await createChannel({ base_url: upstream(`${tag}-b`, "status-503"), models: [b] });
		const alias = `smart-${tag}`;
		await admin("PUT", `/api/models/${alias}`, { chain: [a, b] });
		const res = await chat((await createKey()).key, hello(alias));
		expect(res.status).toBe(503);
		expect(await usageRow(requestId(res))).toMatchObject({ model: b, attempts: 2, status: 503 });
	});

	it("tells the next model of a chain after a given one, for a continuation", async () => {
		const alias = `next-${uid()}`;
		await admin("PUT", `/api/models/${alias}`, { chain: ["m-1", "m-2", "m-3"] });
		expect(await nextModelAfter(env, alias, "m-1")).toBe("m-2");
		expect(await nextModelAfter(env, alias, "m-3")).toBeUndefined();
		expect(await nextModelAfter(env, alias, "elsewhere")).toBeUndefined();
		expect(await nextModelAfter(env, "m-1", "m-1")).toBeUndefined();
	});
});
