import { beforeAll, describe, expect, it } from "vitest";
import { call, scenario, uid, upstream } from "../support/gateway";

let key = "";
let model = "";

beforeAll(async () => {
	({ key, model } = await scenario([{ base_url: upstream(uid(), "ok") }]));
});

function post(path: string, body: string, contentType = "application/json") {
	return call(path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": contentType }, body });
}

async function expectError(res: Response, status: number, mentions: RegExp) {
	expect(res.status).toBe(status);
	const body = await res.json<{ error: { message: string; type: string; code: string } }>();
	expect(body.error.type).toBe("invalid_request_error");
	expect(body.error.message).toMatch(mentions);
}

describe("bad input gets a clear 4xx, never a 500", () => {
	it.each([
		["malformed JSON", "/v1/chat/completions", '{"model":', 400, /JSON/i],
		["missing model", "/v1/chat/completions", '{"messages":[{"role":"user","content":"x"}]}', 400, /model/],
		["empty model", "/v1/chat/completions", '{"model":"","messages":[{"role":"user","content":"x"}]}', 400, /model/],
		["missing messages", "/v1/chat/completions", '{"model":"m"}', 400, /messages/],
		["messages of the wrong type", "/v1/chat/completions", '{"model":"m","messages":"hello"}', 400, /messages/],
		["empty messages", "/v1/chat/completions", '{"model":"m","messages":[]}', 400, /messages/],
		["an unknown role", "/v1/chat/completions", '{"model":"m","messages":[{"role":"robot","content":"x"}]}', 400, /role/],
		["stream that is not a boolean", "/v1/chat/completions", '{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}', 400, /stream/],
		["temperature out of range", "/v1/chat/completions", '{"model":"m","temperature":7,"messages":[{"role":"user","content":"x"}]}', 400, /temperature/],
		["a JSON array body", "/v1/chat/completions", "[1,2]", 400, /object/],
		["embeddings without input", "/v1/embeddings", '{"model":"m"}', 400, /input/],
		["embeddings with empty input list", "/v1/embeddings", '{"model":"m","input":[]}', 400, /input/],
	])("%s", async (_name, path, body, status, mentions) => {
		await expectError(await post(path, body), status, mentions);
	});

	it("a body that is not JSON at all", async () => {
		await expectError(await post("/v1/chat/completions", "model=m", "application/x-www-form-urlencoded"), 400, /Content-Type: application\/json/);
	});

	it("an oversized body gets 413", async () => {
		const big = JSON.stringify({ model, messages: [{ role: "user", content: "x".repeat(70_000) }] });
		const res = await post("/v1/chat/completions", big);
		expect(res.status).toBe(413);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe("body_too_large");
	});

	it("an unknown route gets a JSON 404", async () => {
		const res = await call("/v1/nope", { headers: { authorization: `Bearer ${key}` } });
		expect(res.status).toBe(404);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe("not_found");
	});

	it("unknown fields pass through to the upstream untouched", async () => {
		const res = await post("/v1/chat/completions", JSON.stringify({ model, messages: [{ role: "user", content: "x" }], seed: 7, logit_bias: {} }));
		expect(res.status).toBe(200);
	});
});
