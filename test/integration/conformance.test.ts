// Every client dialect against every channel wire, stream and not, through the real app: the mock upstream
// plays recorded wire fixtures of the channel's provider, and the answer is read as that dialect's SDKs read it.
import { describe, expect, inject, it } from "vitest";
import { call, createChannel, createKey, uid, upstreamLog, usageRow } from "../support/gateway";
import type { LoggedRequest } from "../support/mock-upstream";
import { anthropicOutcome, geminiOutcome, type Outcome, openaiOutcome, responsesOutcome } from "../support/outcome";

type Fixture = "text" | "tools" | "reasoning" | "error-mid";

async function fixture(path: string): Promise<Record<string, unknown>> {
	return (await fetch(`${inject("upstreamUrl")}/__fixtures/${path}`)).json();
}

interface Ingress {
	/** The channel wire this dialect is, for the pass-through check. */
	wire?: string;
	request(model: string, key: string, body: Record<string, unknown>, stream: boolean): Request;
	outcome(body: string, stream: boolean): Outcome;
}

const json = (key: string, extra: Record<string, string> = {}) => ({ "content-type": "application/json", ...extra, ...(key ? {} : {}) });

const ingresses: Record<string, Ingress> = {
	openai: {
		wire: "openai",
		request: (model, key, body, stream) =>
			new Request("http://gateway.test/v1/chat/completions", {
				method: "POST",
				headers: json(key, { authorization: `Bearer ${key}` }),
				body: JSON.stringify({ ...body, model, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
			}),
		outcome: openaiOutcome,
	},
	anthropic: {
		wire: "anthropic",
		request: (model, key, body, stream) =>
			new Request("http://gateway.test/v1/messages", {
				method: "POST",
				headers: json(key, { "x-api-key": key, "anthropic-version": "2023-06-01" }),
				body: JSON.stringify({ ...body, model, ...(stream ? { stream: true } : {}) }),
			}),
		outcome: anthropicOutcome,
	},
	gemini: {
		wire: "gemini",
		request: (model, key, body, stream) =>
			new Request(`http://gateway.test/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`, {
				method: "POST",
				headers: json(key, { "x-goog-api-key": key }),
				body: JSON.stringify(body),
			}),
		outcome: geminiOutcome,
	},
	responses: {
		request: (model, key, body, stream) =>
			new Request("http://gateway.test/v1/responses", {
				method: "POST",
				headers: json(key, { authorization: `Bearer ${key}` }),
				body: JSON.stringify({ ...body, model, ...(stream ? { stream: true } : {}) }),
			}),
		outcome: responsesOutcome,
	},
};

const UPSTREAM_KEY = "sk-upstream-conformance-0001";

/** What the upstream must have received, in its own wire format. */
const egressChecks: Record<string, (sent: LoggedRequest, upstreamModel: string, stream: boolean, tools: boolean, translated: boolean) => void> = {
	openai(sent, model, stream, tools, translated) {
		expect(sent.path).toMatch(/\/chat\/completions$/);
		// OpenAI's reasoning models refuse max_tokens; a client's own body keeps what the client sent.
		expect(sent.body[translated ? "max_completion_tokens" : "max_tokens"]).toEqual(expect.any(Number));
		if (translated) expect(sent.body.max_tokens).toBeUndefined();
		expect(sent.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
		expect(sent.body.model).toBe(model);
		const messages = sent.body.messages as { role: string; content: unknown }[];
		if (tools) expect(sent.body.tools).toMatchObject([{ type: "function", function: { name: "get_weather", parameters: { required: ["city"] } } }]);
		else {
			expect(messages[0]).toMatchObject({ role: "system", content: expect.stringContaining("helpful assistant") });
			expect(JSON.stringify(messages.at(-1))).toContain("data:image/png;base64,");
		}
		if (stream) expect(sent.body.stream_options).toMatchObject({ include_usage: true });
	},
	anthropic(sent, model, stream, tools) {
		expect(sent.path).toMatch(/\/messages$/);
		expect(sent.headers["x-api-key"]).toBe(UPSTREAM_KEY);
		expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
		expect(sent.authorization).toBeNull();
		expect(sent.body).toMatchObject({ model, max_tokens: expect.any(Number) });
		expect(sent.body.stream ?? false).toBe(stream);
		if (tools) expect(sent.body.tools).toMatchObject([{ name: "get_weather", input_schema: { required: ["city"] } }]);
		else {
			expect(sent.body.system).toContain("helpful assistant");
			const last = (sent.body.messages as { content: unknown }[]).at(-1);
			expect(last?.content).toContainEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: expect.any(String) } });
		}
	},
	gemini(sent, model, stream, tools) {
		expect(sent.path).toContain(`/models/${model}:${stream ? "streamGenerateContent" : "generateContent"}`);
		expect(sent.search).toBe(stream ? "?alt=sse" : "");
		expect(sent.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
		expect(sent.body.model).toBeUndefined();
		if (tools) expect(JSON.stringify(sent.body.tools)).toContain("get_weather");
		else {
			expect(JSON.stringify(sent.body.systemInstruction)).toContain("helpful assistant");
			const last = (sent.body.contents as { parts: unknown[] }[]).at(-1);
			expect(last?.parts).toContainEqual({ inlineData: { mimeType: "image/png", data: expect.any(String) } });
		}
	},
};

const expected: Record<Exclude<Fixture, "error-mid">, Partial<Outcome>> = {
	text: { text: "Hello! How can I help you today?", tools: [], finish: "stop", usage: { prompt: 12, completion: 9 }, error: undefined },
	tools: { tools: [{ name: "get_weather", args: { city: "Paris" } }], finish: "tool_calls", usage: { prompt: 20, completion: 15 }, error: undefined },
	reasoning: { reasoning: "Let me think.", text: "Four.", finish: "stop", usage: { prompt: 10, completion: 30 }, error: undefined },
};

async function run(ingressName: string, egress: string, name: Fixture, stream: boolean) {
	const ingress = ingresses[ingressName];
	if (!ingress) throw new Error(ingressName);
	const tag = uid();
	const model = `conf-${tag}`;
	const upstreamModel = `up-${tag}`;
	await createChannel({
		type: egress,
		base_url: `${inject("upstreamUrl")}/${tag}/fixture/${egress}/${name}`,
		key: UPSTREAM_KEY,
		models: [model],
		model_mapping: { [model]: upstreamModel },
	});
	const { key } = await createKey();
	const tools = name === "tools";
	const body = await fixture(`${ingressName}/request-${tools ? "tools" : "text"}.json`);
	const req = ingress.request(model, key, body, stream);
	const res = await call(new URL(req.url).pathname + new URL(req.url).search, {
		method: "POST",
		headers: req.headers,
		body: await req.text(),
	});
	const text = await res.text();
	expect(res.status, text).toBe(200);
	const [sent] = await upstreamLog(tag);
	if (!sent) throw new Error("the upstream received nothing");
	if (ingress.wire === egress) {
		// Same dialect: the client's body goes through untouched but for the model.
		const { model: _sentModel, ...rest } = sent.body;
		const { model: _clientModel, ...original } = JSON.parse(await ingress.request(model, key, body, stream).text());
		expect(rest).toEqual(original);
	}
	egressChecks[egress]?.(sent, upstreamModel, stream, tools, ingress.wire !== egress);
	return { outcome: ingress.outcome(text, stream), requestId: res.headers.get("x-request-id") ?? "" };
}

const egresses = ["openai", "anthropic", "gemini"];

for (const ingress of Object.keys(ingresses)) {
	describe(`${ingress} client`, () => {
		for (const egress of egresses) {
			for (const stream of [false, true]) {
				const mode = stream ? "stream" : "non-stream";
				for (const name of ["text", "tools", "reasoning"] as const) {
					it(`→ ${egress} channel, ${mode}, ${name}`, async () => {
						const { outcome } = await run(ingress, egress, name, stream);
						expect(outcome).toMatchObject(expected[name]);
					});
				}
			}
			it(`→ ${egress} channel, an upstream error mid-stream reaches the client as an error, billed as partial`, async () => {
				const { outcome, requestId } = await run(ingress, egress, "error-mid", true);
				expect(outcome.text).toBe("Hello");
				expect(outcome.error).toEqual(expect.any(String));
				expect(await usageRow(requestId)).toMatchObject({ status: 502, partial: 1, error_code: "upstream_stream_failed" });
			});
		}
	});
}
