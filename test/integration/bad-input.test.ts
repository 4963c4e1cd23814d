import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { forgetChannels } from "../../src/channels/live";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, scenario, uid, upstream, upstreamLog } from "../support/gateway";

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

/** `{"a":{"a":…}}` nested `depth` deep around `leaf`. */
function nested(depth: number, leaf = "1"): string {
	return `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

describe("malformed shapes and deep nesting get a 400 in the called API's format", () => {
	let channelId = 0;
	let anthropicKey = "";
	let shared = "";

	beforeAll(async () => {
		const s = await scenario([{ base_url: upstream(uid(), "ok"), settings: { breaker: { consecutiveFailures: 1 } } }]);
		shared = s.model;
		anthropicKey = s.key;
		channelId = s.channels[0]?.id ?? 0;
	});

	const send = (path: string, body: string) =>
		call(path, { method: "POST", headers: { authorization: `Bearer ${anthropicKey}`, "content-type": "application/json" }, body });
	const userTurn = (content: string) => `{"role":"user","content":[${content}]}`;
	const anthropic = (content: string) => `{"model":"${shared}","max_tokens":16,"messages":[${userTurn(content)}]}`;

	it.each([
		["a number", "5"],
		["a boolean", "true"],
		["an object", '{"type":"text","text":"x"}'],
		["[null]", "[null]"],
	])("an Anthropic tool_result whose content is %s", async (_name, content) => {
		const res = await send("/v1/messages", anthropic(`{"type":"tool_result","tool_use_id":"t1","content":${content}}`));
		expect(res.status).toBe(400);
		const body = await res.json<{ type: string; error: { type: string; message: string } }>();
		expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
		expect(body.error.message).toMatch(/content/);
	});

	it("an Anthropic image block without a source", async () => {
		const res = await send("/v1/messages", anthropic('{"type":"image"}'));
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/source/) } });
	});

	const deep = nested(10_000);
	it.each([
		[
			"/v1/responses tools[].parameters",
			"/v1/responses",
			(m: string) => `{"model":"${m}","input":"x","tools":[{"type":"function","name":"f","parameters":${deep}}]}`,
		],
		[
			"/v1/responses text.format.schema",
			"/v1/responses",
			(m: string) => `{"model":"${m}","input":"x","text":{"format":{"type":"json_schema","name":"s","schema":${deep}}}}`,
		],
		[
			"an Anthropic tool_use.id",
			"/v1/messages",
			(m: string) => `{"model":"${m}","max_tokens":16,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":${deep},"name":"f","input":{}}]}]}`,
		],
		["a chat message's unknown field", "/v1/chat/completions", (m: string) => `{"model":"${m}","messages":[{"role":"user","content":"x","extra":${deep}}]}`],
	])("objects nested 10,000 deep in %s", async (_name, path, body) => {
		const res = await send(path, body(shared));
		expect(res.status).toBe(400);
		const json = await res.json<{ type?: string; error: { message: string } }>();
		expect(json.error.message).toMatch(/nest/i);
		if (path === "/v1/messages") expect(json.type).toBe("error");
	});

	it.each([
		["generationConfig.responseSchema", `"generationConfig":{"responseSchema":${deep}}`],
		["a functionCall's args", `"contents":[{"role":"user","parts":[{"text":"x"}]},{"role":"model","parts":[{"functionCall":{"name":"f","args":${deep}}}]}]`],
		["an unknown field", `"extra":${deep}`],
	])("objects nested 10,000 deep in Gemini's %s", async (_name, field) => {
		const contents = field.startsWith('"contents"') ? "" : '"contents":[{"role":"user","parts":[{"text":"x"}]}],';
		const res = await call(`/v1beta/models/${shared}:generateContent`, {
			method: "POST",
			headers: { "x-goog-api-key": anthropicKey, "content-type": "application/json" },
			body: `{${contents}${field}}`,
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT", message: expect.stringMatching(/nest/i) } });
	});

	it("a failure of the gateway's own parsing is never blamed on the channel", async () => {
		const res = await admin("GET", `/api/channels/${channelId}/health`);
		expect(await res.json()).toMatchObject({ state: "closed", consecutive_failures: 0 });
	});
});

describe("operator API bodies are bounded too", () => {
	it("an oversized body gets 413 before it is read", async () => {
		const res = await admin("POST", "/api/prices/x", { note: "x".repeat(70_000) });
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ error: { code: "body_too_large", type: "invalid_request_error" } });
	});

	it("a body nested past the limit gets a 400 that names it", async () => {
		const res = await call("/api/tokens", {
			method: "POST",
			headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
			body: `{"name":"k","models":${"[".repeat(65)}${"]".repeat(65)}}`,
		});
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/64 levels/);
	});
});

describe("the gateway's own failures are never the channel's", () => {
	it("a channel key that does not decrypt fails the request with a 500, and the breaker hears nothing", async () => {
		const tag = uid();
		const {
			model,
			key: gatewayKey,
			channels,
		} = await scenario([{ base_url: upstream(tag, "ok"), key: "sk-upstream-key", settings: { breaker: { consecutiveFailures: 1, probeIntervalMs: 0 } } }]);
		const id = channels[0]?.id ?? 0;
		// What a rotated ENCRYPTION_KEY or a hand-edited row leaves behind: the gateway cannot build the call.
		await env.DB.prepare("UPDATE channels SET key_ciphertext = ? WHERE id = ?").bind("v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA", id).run();
		forgetChannels();
		for (let i = 0; i < 3; i++) {
			const res = await call("/v1/chat/completions", {
				method: "POST",
				headers: { authorization: `Bearer ${gatewayKey}`, "content-type": "application/json" },
				body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }),
			});
			expect(res.status).toBe(500);
			expect((await res.json<{ error: { code: string } }>()).error.code).toBe("internal_error");
		}
		expect(await upstreamLog(tag)).toHaveLength(0);
		const health = await admin("GET", `/api/channels/${id}/health`);
		expect(await health.json()).toMatchObject({ state: "closed", consecutive_failures: 0, last_error: null });
	});
});
