import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ResponseObject } from "../../src/protocols/responses/types";
import { call, createChannel, createKey, uid, upstreamLog, usageRow } from "../support/gateway";
import { sseEvents } from "../support/outcome";

type Event = { type: string; sequence_number: number; delta?: string; response?: ResponseObject; message?: string };

function responses(key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return call("/v1/responses", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

const events = async (res: Response): Promise<Event[]> => sseEvents(await res.text()).map(({ data }) => JSON.parse(data));

/** A model served by one channel, and a key for it. */
async function served(channel: { type?: string; base_url?: string }) {
	const model = `resp-${uid()}`;
	await createChannel({ ...channel, models: [model] });
	const { key } = await createKey();
	return { model, key };
}

/** An OpenAI channel on the mock upstream playing a recorded fixture; `tag` keeps its request log apart. */
const fixtureChannel = (tag: string, name: string) => ({ type: "openai", base_url: `${inject("upstreamUrl")}/${tag}/fixture/openai/${name}/v1` });

describe("POST /v1/responses through the built-in mock channel", () => {
	let model = "";
	let key = "";
	beforeAll(async () => {
		({ model, key } = await served({ type: "mock" }));
	});

	it("answers with a Response object, and records usage under its endpoint", async () => {
		const res = await responses(key, { model, instructions: "Be brief.", input: "ping", temperature: 0.2 });
		expect(res.status).toBe(200);
		const body = await res.json<ResponseObject>();
		expect(body).toMatchObject({ object: "response", status: "completed", model, instructions: "Be brief.", temperature: 0.2, error: null });
		expect(body.output).toHaveLength(1);
		expect(body.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
		expect(body.output_text).toContain('You said: "ping"');
		expect(body.usage?.input_tokens).toBeGreaterThan(0);
		expect(body.usage?.total_tokens).toBe((body.usage?.input_tokens ?? 0) + (body.usage?.output_tokens ?? 0));
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ endpoint: "/v1/responses", model, status: 200, stream: 0, estimated: 0 });
	});

	it("says incomplete when max_output_tokens cut the answer", async () => {
		const body = await (await responses(key, { model, input: "ping", max_output_tokens: 3 })).json<ResponseObject>();
		expect(body).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, max_output_tokens: 3 });
		expect(body.usage?.output_tokens).toBe(3);
	});

	it("streams Responses events with increasing sequence numbers, ending in response.completed with usage", async () => {
		const res = await responses(key, { model, input: [{ role: "user", content: "ping" }], stream: true });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const list = await events(res);
		expect(list.slice(0, 2).map((e) => e.type)).toEqual(["response.created", "response.in_progress"]);
		expect(list.at(-1)?.type).toBe("response.completed");
		expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
		const deltas = list.filter((e) => e.type === "response.output_text.delta");
		expect(deltas.length).toBeGreaterThan(10);
		const final = list.at(-1)?.response;
		expect(deltas.map((e) => e.delta).join("")).toBe(final?.output_text);
		expect(final?.usage?.output_tokens).toBe(deltas.length);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({
			endpoint: "/v1/responses",
			stream: 1,
			status: 200,
			partial: 0,
			estimated: 0,
		});
	});
});

describe("POST /v1/responses through an OpenAI channel", () => {
	it("sends a function-call round trip upstream as chat tool calls and tool messages", async () => {
		const tag = uid();
		const { model, key } = await served(fixtureChannel(tag, "tools"));
		const input = [
			{ role: "user", content: "What is the weather like in Paris?" },
			{ type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
			{ type: "function_call_output", call_id: "call_1", output: '{"temp":21}' },
		];
		const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
		const res = await responses(key, { model, input, tools });
		expect(res.status).toBe(200);
		const body = await res.json<ResponseObject>();
		expect(body.output).toMatchObject([{ type: "function_call", call_id: "call_abc123", name: "get_weather", arguments: '{"city":"Paris"}' }]);
		const [sent] = await upstreamLog(tag);
		expect(sent?.body.messages).toEqual([
			{ role: "user", content: "What is the weather like in Paris?" },
			{ role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
			{ role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
		]);
		expect(sent?.body.tools).toEqual([{ type: "function", function: { name: "get_weather", parameters: tools[0]?.parameters } }]);
	});

	it("ends a stream the upstream broke off with response.failed and an error event, billed as partial", async () => {
		const { model, key } = await served({ type: "openai", base_url: `${inject("upstreamUrl")}/${uid()}/cut/v1` });
		const res = await responses(key, { model, input: "hi", stream: true });
		expect(res.status).toBe(200);
		const list = await events(res);
		expect(list.filter((e) => e.type === "response.output_text.delta").length).toBeGreaterThan(0);
		expect(list.slice(-2).map((e) => e.type)).toEqual(["response.failed", "error"]);
		expect(list.at(-1)?.message).toMatch(/incomplete/);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ partial: 1, status: 502, error_code: "upstream_stream_failed" });
	});
});

describe("POST /v1/responses refuses what it cannot serve, in OpenAI's error format", () => {
	let model = "";
	let key = "";
	beforeAll(async () => {
		({ model, key } = await served({ type: "mock" }));
	});

	it.each([
		["a hosted tool", { tools: [{ type: "web_search" }] }, "tools", /web_search/],
		["background mode", { background: true }, "background", /background/],
		["an empty input list", { input: [] }, "input", /at least one item/],
		["input that is neither text nor a list", { input: 42 }, "input", /./],
		["a model name that is too long", { model: "m".repeat(201) }, "model", /200/],
		["a bad item", { input: [{ type: "function_call_output", output: "x" }] }, "input.0.call_id", /string/],
	])("%s", async (_name, override, param, message) => {
		const res = await responses(key, { model, input: "hi", ...override });
		expect(res.status).toBe(400);
		const body = await res.json<{ error: { type: string; code: string; param: string; message: string } }>();
		expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
		expect(body.error.message).toMatch(message);
	});

	it("needs a valid key", async () => {
		const res = await responses("sk-not-a-key", { model, input: "hi" });
		expect(res.status).toBe(401);
	});
});
