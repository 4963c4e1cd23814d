// Prices and group multipliers through the admin API: versions, channel overrides, who may read and change them,
// and that the relay charges a new price at once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { groupView, priceList, priceView } from "../../src/routes/price-schemas";
import { NO_LIMITS_VIEW } from "../support/constants";
import { admin, call, chat, createChannel, createKey, uid, upstream, usageRow } from "../support/gateway";

type PriceView = z.infer<typeof priceView>;
type PriceList = z.infer<typeof priceList>;
type GroupView = z.infer<typeof groupView>;

function asKey(key: string, method: string, path: string, body?: unknown): Promise<Response> {
	return call(path, {
		method,
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
}

async function setPrice(model: string, body: Record<string, unknown>): Promise<PriceView> {
	const res = await admin("PUT", `/api/prices/${encodeURIComponent(model)}`, body);
	if (res.status !== 200) throw new Error(`price set failed: ${res.status} ${await res.text()}`);
	return res.json();
}

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; param: string | null } }>()).error;

describe("prices API", () => {
	it("lists the prices in force, to the operator and to user keys alike", async () => {
		const { key } = await createKey();
		for (const res of [await admin("GET", "/api/prices"), await asKey(key, "GET", "/api/prices")]) {
			expect(res.status).toBe(200);
			const { data } = await res.json<PriceList>();
			expect(data.every((p) => p.valid_to === null)).toBe(true);
			expect(data.find((p) => p.model === "mock-chat" && p.channel_id === null)).toMatchObject({
				input_usd_per_mtok: 0.1,
				output_usd_per_mtok: 0.4,
				cached_input_usd_per_mtok: 0.05,
				cache_write_usd_per_mtok: null,
				request_usd: 0,
				valid_from: "1970-01-01T00:00:00.000Z",
			});
		}
		expect((await call("/api/prices")).status).toBe(401);
	});

	it("versions a price: setting it twice leaves two versions, the first closed when the second opened", async () => {
		const model = `m-${uid()}`;
		const first = await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 2 });
		expect(first).toMatchObject({ model, channel_id: null, input_usd_per_mtok: 1, output_usd_per_mtok: 2, cached_input_usd_per_mtok: null, valid_to: null });
		const second = await setPrice(model, { input_usd_per_mtok: 3, output_usd_per_mtok: 4, cached_input_usd_per_mtok: 0.5, request_usd: 0.001 });
		expect(second.id).not.toBe(first.id);

		expect(await (await admin("GET", `/api/prices/${model}`)).json()).toEqual(second);
		const history = await (await admin("GET", `/api/prices/${model}?history=true`)).json<PriceList>();
		expect(history.data.map((p) => p.id)).toEqual([second.id, first.id]);
		expect(history.data[1]?.valid_to).toBe(second.valid_from);
		expect(history.data[0]).toMatchObject({ valid_to: null, request_usd: 0.001, cached_input_usd_per_mtok: 0.5 });

		const stored = await env.DB.prepare("SELECT input_nusd_per_mtok AS input, valid_to FROM prices WHERE model = ? ORDER BY id").bind(model).all();
		expect(stored.results).toEqual([
			{ input: 1_000_000_000, valid_to: Date.parse(second.valid_from) },
			{ input: 3_000_000_000, valid_to: null },
		]);
		const listed = await (await admin("GET", "/api/prices")).json<PriceList>();
		expect(listed.data.filter((p) => p.model === model)).toEqual([second]);
	});

	it("keeps one version in force when two changes race", async () => {
		const model = `race-${uid()}`;
		await Promise.all([1, 2, 3].map((n) => setPrice(model, { input_usd_per_mtok: n, output_usd_per_mtok: n })));
		const open = await env.DB.prepare("SELECT count(*) AS n FROM prices WHERE model = ? AND valid_to IS NULL").bind(model).first<{ n: number }>();
		expect(open?.n).toBe(1);
	});

	it("keeps a channel's override apart from the model's general price", async () => {
		const model = `o-${uid()}`;
		const channel = await createChannel({ models: [model] });
		const general = await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
		const override = await setPrice(model, { input_usd_per_mtok: 0.5, output_usd_per_mtok: 0.5, channel_id: channel.id });
		expect(override.channel_id).toBe(channel.id);
		expect(await (await admin("GET", `/api/prices/${model}`)).json()).toEqual(general);
		expect(await (await admin("GET", `/api/prices/${model}?channel_id=${channel.id}`)).json()).toEqual(override);

		expect((await admin("DELETE", `/api/prices/${model}?channel_id=${channel.id}`)).status).toBe(204);
		expect((await admin("GET", `/api/prices/${model}?channel_id=${channel.id}`)).status).toBe(404);
		expect(await (await admin("GET", `/api/prices/${model}`)).json()).toEqual(general);
	});

	it("closes a price with DELETE; its history stays", async () => {
		const model = `d-${uid()}`;
		const price = await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
		expect((await admin("DELETE", `/api/prices/${model}`)).status).toBe(204);
		expect((await admin("GET", `/api/prices/${model}`)).status).toBe(404);
		const history = await (await admin("GET", `/api/prices/${model}?history=true`)).json<PriceList>();
		expect(history.data).toHaveLength(1);
		expect(history.data[0]).toMatchObject({ id: price.id, valid_to: expect.any(String) });
		expect((await admin("DELETE", `/api/prices/${model}`)).status).toBe(404);
	});

	it("takes model names with a slash when it is percent-encoded", async () => {
		const model = `vendor/${uid()}`;
		const price = await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
		expect(price.model).toBe(model);
		expect(await (await admin("GET", `/api/prices/${encodeURIComponent(model)}`)).json()).toEqual(price);
	});

	it("keeps prices by unit (images, audio seconds, characters) beside the token prices, and refuses unknown units", async () => {
		const model = `u-${uid()}`;
		const unit_usd = { image: 0.04, "image:1024x1024:hd": 0.08, audio_second: 0.0001, character: 0.000015 };
		const price = await setPrice(model, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd });
		expect(price.unit_usd).toEqual(unit_usd);
		expect((await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 1 })).unit_usd).toBeNull();
		const bad = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { pixels: 1 } });
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).param).toMatch(/^unit_usd/);
		const seeded = await (await admin("GET", "/api/prices/mock-image")).json<PriceView>();
		expect(seeded.unit_usd).toEqual({ image: 0.04, "image:1024x1024:hd": 0.08 });
	});

	it("answers 400 naming the bad field, 404 for what does not exist", async () => {
		const model = `e-${uid()}`;
		const missing = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1 });
		expect(missing.status).toBe(400);
		expect((await errorOf(missing)).param).toBe("output_usd_per_mtok");
		const negative = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: -1, output_usd_per_mtok: 1 });
		expect((await errorOf(negative)).param).toBe("input_usd_per_mtok");
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: "1", output_usd_per_mtok: 1 })).status).toBe(400);
		expect((await admin("GET", `/api/prices/${model}?channel_id=abc`)).status).toBe(400);

		expect((await admin("GET", `/api/prices/${model}`)).status).toBe(404);
		expect((await admin("GET", `/api/prices/${model}?history=true`)).status).toBe(404);
		const noChannel = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 1, channel_id: 987654 });
		expect(noChannel.status).toBe(404);
		expect((await errorOf(noChannel)).param).toBe("channel_id");
		expect((await admin("DELETE", `/api/prices/${model}`)).status).toBe(404);
	});

	it("lets only the operator change prices", async () => {
		const { key } = await createKey();
		const model = `s-${uid()}`;
		const put = await asKey(key, "PUT", `/api/prices/${model}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0 });
		expect(put.status).toBe(403);
		expect((await errorOf(put)).code).toBe("forbidden");
		expect((await asKey(key, "DELETE", "/api/prices/mock-chat")).status).toBe(403);
		expect((await asKey(key, "GET", "/api/prices/mock-chat")).status).toBe(200);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM prices WHERE model = ?").bind(model).first<{ n: number }>();
		expect(count?.n).toBe(0);
	});
});

describe("group multipliers API", () => {
	it("sets, updates and lists a group's multiplier", async () => {
		const group = `g-${uid()}`;
		const set = await admin("PUT", `/api/groups/${group}`, { price_multiplier: 1.5 });
		expect(set.status).toBe(200);
		expect(await set.json()).toEqual({ group, price_multiplier: 1.5, ...NO_LIMITS_VIEW });
		await admin("PUT", `/api/groups/${group}`, { price_multiplier: 0.8 });
		const { data } = await (await admin("GET", "/api/groups")).json<{ data: GroupView[] }>();
		expect(data.filter((g) => g.group === group)).toEqual([{ group, price_multiplier: 0.8, ...NO_LIMITS_VIEW }]);
	});

	it("validates input and is the operator's alone", async () => {
		expect((await admin("PUT", "/api/groups/x", { price_multiplier: -1 })).status).toBe(400);
		expect((await admin("PUT", "/api/groups/x", {})).status).toBe(400);
		const { key } = await createKey();
		expect((await asKey(key, "GET", "/api/groups")).status).toBe(403);
		expect((await asKey(key, "PUT", "/api/groups/default", { price_multiplier: 0 })).status).toBe(403);
	});
});

describe("the relay and price changes", () => {
	it("charges a new price and a group's multiplier at once, naming the version charged", async () => {
		const model = `live-${uid()}`;
		const group = `g-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model], groups: [group] });
		const user = await (await admin("POST", "/api/users", { name: `u-${uid()}`, group })).json<{ id: number }>();
		const { key } = await createKey({ user_id: user.id });
		const hello = { model, messages: [{ role: "user", content: "hi" }] };

		// The mock upstream reports 11 prompt tokens (3 of them cached) and 7 completion tokens.
		const first = await setPrice(model, { input_usd_per_mtok: 1, output_usd_per_mtok: 2, cached_input_usd_per_mtok: 0.5 });
		const one = await chat(key, hello);
		expect(one.status).toBe(200);
		expect(await usageRow(one.headers.get("x-request-id") ?? "")).toMatchObject({ price_id: first.id, cost_nusd: 8_000 + 1_500 + 14_000 });

		const second = await setPrice(model, { input_usd_per_mtok: 10, output_usd_per_mtok: 20, cached_input_usd_per_mtok: 5 });
		await admin("PUT", `/api/groups/${group}`, { price_multiplier: 2 });
		const two = await chat(key, hello);
		expect(await usageRow(two.headers.get("x-request-id") ?? "")).toMatchObject({ price_id: second.id, cost_nusd: 2 * 235_000 });
	});
});
