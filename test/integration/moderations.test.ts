import { describe, expect, it } from "vitest";
import { admin, call, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

interface Moderation {
	id: string;
	model: string;
	results: {
		flagged: boolean;
		categories: Record<string, boolean>;
		category_scores: Record<string, number>;
		category_applied_input_types: Record<string, string[]>;
	}[];
}

interface ErrorBody {
	error: { message: string; type: string; code: string; param: string | null };
}

const moderate = (key: string, body: unknown) =>
	call("/v1/moderations", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

const CATEGORIES = [
	"harassment",
	"harassment/threatening",
	"hate",
	"hate/threatening",
	"illicit",
	"illicit/violent",
	"self-harm",
	"self-harm/intent",
	"self-harm/instructions",
	"sexual",
	"sexual/minors",
	"violence",
	"violence/graphic",
];

describe("POST /v1/moderations", () => {
	it("answers from the mock in OpenAI's shape, one result a string, flagging by its words; metered per request and token", async () => {
		const model = `mock-moderation-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 0, request_usd: 0.001 })).status).toBe(200);
		const { key } = await createKey();

		const res = await moderate(key, { model, input: ["I will kill the process", "I love tea", "I hate mondays"] });
		expect(res.status).toBe(200);
		const body = await res.json<Moderation>();
		expect(body.id).toMatch(/^modr-/);
		expect(body.model).toBe(model);
		expect(body.results.map((r) => r.flagged)).toEqual([true, false, true]);
		for (const r of body.results) {
			expect(Object.keys(r.categories).sort()).toEqual([...CATEGORIES].sort());
			expect(Object.keys(r.category_scores).sort()).toEqual([...CATEGORIES].sort());
			expect(r.category_applied_input_types.violence).toEqual(["text"]);
		}
		expect(body.results[0]?.categories.violence).toBe(true);
		expect(body.results[0]?.category_scores.violence).toBeGreaterThan(0.5);
		expect(body.results[2]?.categories.hate).toBe(true);
		expect(body.results[1]?.category_scores.hate).toBeLessThan(0.01);

		// The input's tokens are the gateway's estimate (no moderation API reports them): $1/M each, plus $0.001.
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ endpoint: "/v1/moderations", model, status: 200, completion_tokens: 0, estimated: 1 });
		expect(Number(row.prompt_tokens)).toBeGreaterThan(0);
		expect(row.cost_nusd).toBe(Number(row.prompt_tokens) * 1_000 + 1_000_000);
	});

	it("judges a multimodal list as one input, text and image", async () => {
		const model = `mock-moderation-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		const { key } = await createKey();
		const res = await moderate(key, {
			model,
			input: [
				{ type: "text", text: "a stab wound" },
				{ type: "image_url", image_url: { url: "https://example.com/a.png" } },
			],
		});
		const body = await res.json<Moderation>();
		expect(body.results).toHaveLength(1);
		expect(body.results[0]?.categories.violence).toBe(true);
		expect(body.results[0]?.category_applied_input_types.violence).toEqual(["text", "image"]);
		expect(body.results[0]?.category_applied_input_types.hate).toEqual(["text"]);
	});

	it("relays to an OpenAI channel as sent, and defaults the model as OpenAI does", async () => {
		const tag = uid();
		await createChannel({ type: "openai", base_url: upstream(tag, "ok"), key: "sk-mod-0000000001", models: ["omni-moderation-latest"] });
		const { key } = await createKey();
		const res = await moderate(key, { input: "hello" });
		expect(res.status).toBe(200);
		expect((await res.json<Moderation>()).results[0]?.flagged).toBe(false);
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/moderations`);
		expect(sent?.body).toEqual({ model: "omni-moderation-latest", input: "hello" });
	});

	it("refuses bad input in OpenAI's format, and a model no channel moderates with", async () => {
		const model = `mock-moderation-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		const { key } = await createKey();
		for (const body of [{ model }, { model, input: [] }, { model, input: 42 }, { model, input: [{ type: "audio" }] }]) {
			const res = await moderate(key, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			const { error } = await res.json<ErrorBody>();
			expect(error.type).toBe("invalid_request_error");
			expect(error.param).toMatch(/^input/);
		}
		const tag = uid();
		const chatOnly = `claude-${tag}`;
		await createChannel({ type: "anthropic", base_url: upstream(tag, "ok"), key: "sk-ant-0000000001", models: [chatOnly] });
		const refused = await moderate(key, { model: chatOnly, input: "hi" });
		expect(refused.status).toBe(503);
		expect((await refused.json<ErrorBody>()).error.message).toMatch(/offers moderations/);
	});
});
