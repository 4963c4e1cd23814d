import { describe, expect, it } from "vitest";
import { call, createChannel, createKey, uid } from "../support/gateway";

const get = (path: string, headers: Record<string, string>) => call(path, { headers });

describe("GET /v1/models/{model}", () => {
	it("answers OpenAI's Model for a model the key may use, a 404 in OpenAI's format otherwise", async () => {
		const tag = uid();
		const model = `info-${tag}`;
		const hidden = `hidden-${tag}`;
		await createChannel({ type: "mock", models: [model, hidden, `@cf/meta/llama-${tag}`] });
		const { key } = await createKey({ models: [model, `@cf/meta/llama-${tag}`] });
		const auth = { authorization: `Bearer ${key}` };

		const res = await get(`/v1/models/${model}`, auth);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ id: model, object: "model", created: 0, owned_by: "edge-gateway" });
		// Slashes in a name, sent encoded (as OpenAI's client does) or not.
		for (const path of [`/v1/models/${encodeURIComponent(`@cf/meta/llama-${tag}`)}`, `/v1/models/@cf/meta/llama-${tag}`]) {
			expect((await (await get(path, auth)).json<{ id: string }>()).id, path).toBe(`@cf/meta/llama-${tag}`);
		}

		for (const missing of [hidden, `nowhere-${tag}`]) {
			const refused = await get(`/v1/models/${missing}`, auth);
			expect(refused.status).toBe(404);
			expect(await refused.json()).toMatchObject({ error: { type: "not_found_error", code: "not_found", param: "model" } });
		}
	});
});

describe("Anthropic's shape of /v1/models (anthropic-version sent)", () => {
	it("lists ModelInfo pages by limit, after_id and before_id, authenticated by x-api-key", async () => {
		const tag = uid();
		const models = ["a", "b", "c", "d", "e"].map((m) => `${m}-${tag}`);
		await createChannel({ type: "mock", models });
		const { key } = await createKey({ models });
		const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
		type Page = {
			data: { type: string; id: string; display_name: string; created_at: string }[];
			has_more: boolean;
			first_id: string | null;
			last_id: string | null;
		};

		const all = await (await get("/v1/models", headers)).json<Page>();
		expect(all.data.map((m) => m.id)).toEqual(models);
		expect(all).toMatchObject({ has_more: false, first_id: models[0], last_id: models[4] });
		expect(all.data[0]).toMatchObject({ type: "model", id: models[0], display_name: models[0], created_at: "1970-01-01T00:00:00.000Z", lifecycle: "active" });

		const first = await (await get("/v1/models?limit=2", headers)).json<Page>();
		expect(first).toMatchObject({ has_more: true, first_id: models[0], last_id: models[1] });
		const next = await (await get(`/v1/models?limit=2&after_id=${first.last_id}`, headers)).json<Page>();
		expect(next.data.map((m) => m.id)).toEqual([models[2], models[3]]);
		expect(next.has_more).toBe(true);
		const last = await (await get(`/v1/models?limit=2&after_id=${next.last_id}`, headers)).json<Page>();
		expect(last).toMatchObject({ has_more: false, first_id: models[4], last_id: models[4] });
		const before = await (await get(`/v1/models?limit=2&before_id=${models[3]}`, headers)).json<Page>();
		expect(before).toMatchObject({ has_more: true, first_id: models[1], last_id: models[2] });

		const one = await get(`/v1/models/${models[1]}`, headers);
		expect(await one.json()).toMatchObject({ type: "model", id: models[1], display_name: models[1] });

		// Without the header, the same key gets OpenAI's list.
		expect(await (await get("/v1/models", { "x-api-key": key })).json()).toMatchObject({ object: "list" });
	});

	it("answers errors in Anthropic's format: an unknown model, a bad limit, a missing key", async () => {
		const { key } = await createKey();
		const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
		const missing = await get(`/v1/models/none-${uid()}`, headers);
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
		const badLimit = await get("/v1/models?limit=0", headers);
		expect(badLimit.status).toBe(400);
		expect(await badLimit.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
		const noKey = await get("/v1/models", { "anthropic-version": "2023-06-01" });
		expect(noKey.status).toBe(401);
		expect(await noKey.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
	});
});
