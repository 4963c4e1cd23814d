// Generated bad input at every route the app mounts: wrong types, deep nesting, huge strings, nulls, random and
// malformed JSON, wrong content types, odd query strings. Whatever arrives, the answer is never a 5xx, and an
// error is JSON in the format of the API that was called. The seed is fixed, so a failure replays the same way.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, call, createChannel, scenario, uid, upstream } from "../support/gateway";

const SEED = 1313;

let key = "";
let appKey = "";
let model = "";

beforeAll(async () => {
	// A breaker that never opens: an upstream failure must show as the 5xx it is, not hide behind a skipped channel.
	({ key, model } = await scenario([{ base_url: upstream(uid(), "ok"), settings: { breaker: { consecutiveFailures: 100_000 } } }]));
	// The memory routes embed with the offline mock's model.
	await createChannel({ type: "mock", models: ["mock-embedding"] });
	// /dify/v1 takes an app's key: one app, its model the scenario's.
	const made = await admin("POST", "/api/apps", { name: `fuzz-${uid()}`, model, user_id: 1 });
	const { id } = await made.json<{ id: string }>();
	appKey = (await (await admin("POST", `/api/apps/${id}/keys`, {})).json<{ key: string }>()).key;
});

type Dialect = "openai" | "anthropic" | "gemini" | "mem0" | "dify";

const dialectOf = (path: string): Dialect =>
	path.startsWith("/v1/messages")
		? "anthropic"
		: path.startsWith("/v1beta")
			? "gemini"
			: path.startsWith("/mem0/")
				? "mem0"
				: path.startsWith("/dify/")
					? "dify"
					: "openai";

/** Every concrete route: middleware (`ALL`) and wildcard mounts are not endpoints of their own. */
function endpoints(): { method: string; path: string }[] {
	const seen = new Map<string, { method: string; path: string }>();
	for (const r of app.routes) {
		if (r.method === "ALL" || r.path.includes("*")) continue;
		seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
	}
	return [...seen.values()];
}

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`;

/** A value of the wrong kind for almost any field. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
	fc.constantFrom(null, true, false, 0, -1, 1e308, "", [], {}, [null], { type: null }, "x".repeat(5_000)),
	fc.string({ maxLength: 40 }),
	fc.integer(),
	fc.double(),
	fc.jsonValue({ maxDepth: 3 }),
);

type Path = (string | number)[];

const DEEP = "\u0001deep:";

/** Deep-value markers in a JSON text replaced by the nesting they stand for. */
function spliceDeep(text: string): string {
	return text.replace(/"\\u0001deep:([oa])(\d+)"/g, (_, kind: string, depth: string) => (kind === "o" ? deepObject(Number(depth)) : nested(Number(depth))));
}

/** Every path into a (small) template, containers included: the places a mutation can strike. */
function pathsOf(value: unknown, at: Path = []): Path[] {
	const inner: Path[] = Array.isArray(value)
		? value.flatMap((v, i) => pathsOf(v, [...at, i]))
		: typeof value === "object" && value !== null
			? Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))
			: [];
	return at.length ? [at, ...inner] : inner;
}

/** A copy of `value` with what is at `path` replaced (or deleted, for `undefined`). */
function mutate(value: unknown, path: Path, replacement: unknown): unknown {
	const [head, ...rest] = path;
	if (head === undefined) return replacement;
	if (Array.isArray(value)) return value.map((v, i) => (i === head ? mutate(v, rest, replacement) : v)).filter((v) => v !== undefined);
	if (typeof value !== "object" || value === null) return value;
	const copy: Record<string, unknown> = { ...value };
	const next = mutate(copy[String(head)], rest, replacement);
	if (next === undefined) delete copy[String(head)];
	else copy[String(head)] = next;
	return copy;
}

/** A body text: random or malformed JSON, nesting far past the limit, or a valid-looking body with one place gone wrong. */
function bodyText(template: Record<string, unknown> | undefined): fc.Arbitrary<string> {
	const generic = fc.oneof(
		fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
		fc.string({ maxLength: 60 }),
		fc.constantFrom("", "{", '{"a":', "nul", "[1,]", '{"model":}', "\u0000", "{}", "[]", "null"),
		fc.integer({ min: 65, max: 20_000 }).map(nested),
		fc.integer({ min: 65, max: 10_000 }).map(deepObject),
	);
	if (!template) return generic;
	// The model stays the served one: a made-up model is a documented 503 (no channel), not a parsing fault.
	const paths = pathsOf(template).filter((p) => p[0] !== "model");
	// Deep values are spliced into the text: building them as objects would overflow this test's own stack.
	const replacement = fc.oneof(
		badValue,
		fc.constant(undefined),
		fc.integer({ min: 65, max: 10_000 }).map((depth) => `${DEEP}o${depth}`),
		fc.integer({ min: 65, max: 10_000 }).map((depth) => `${DEEP}a${depth}`),
	);
	const mutated = fc
		.tuple(fc.constantFrom(...paths), replacement, fc.option(fc.tuple(fc.constantFrom(...paths), badValue), { nil: undefined }))
		.map(([path, value, second]) => {
			const once = mutate(template, path, value);
			return spliceDeep(JSON.stringify(second ? mutate(once, second[0], second[1]) : once));
		});
	return fc.oneof({ weight: 1, arbitrary: generic }, { weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: fc.constant(JSON.stringify(template)) });
}

const contentType = fc.constantFrom(
	"application/json",
	"application/json",
	"application/json; charset=utf-8",
	"text/plain",
	"application/x-www-form-urlencoded",
	"",
);

const queryString = fc
	.array(
		fc.tuple(
			fc.oneof(
				fc.constantFrom("limit", "offset", "cursor", "from", "to", "model", "token_id", "user_id", "history", "alt", "status", "group"),
				fc.string({ maxLength: 8 }),
			),
			fc.oneof(fc.constantFrom("", "-1", "0", "1e999", "abc", "null", "[]", "%", "sse", "true"), fc.string({ maxLength: 20 })),
		),
		{ maxLength: 4 },
	)
	.map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}` : ""));

/** Path parameters that never name a row this test made (ids are small integers), so nothing it relies on is touched. */
const paramValue = fc.oneof(
	fc.integer({ min: 10_000_000, max: 2 ** 31 }).map(String),
	fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^\s*[+-]?\d+(\.\d*)?\s*$/.test(s)),
	fc.constantFrom("-1", "0x1", "1e9999", "null", "%00", "..", "9".repeat(40)),
);

const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const PNG = "iVBORw0KGgo=";

/** A valid body per route that reads one, touching every shape the codecs read. */
function templates(): Record<string, Record<string, unknown>> {
	const chat = {
		model,
		messages: [
			{ role: "system", content: "Be brief." },
			{
				role: "user",
				content: [
					{ type: "text", text: "Hello" },
					{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
				],
			},
			{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"city":"Paris"}' } }] },
			{ role: "tool", tool_call_id: "c1", content: "sunny" },
		],
		max_tokens: 16,
		stream: false,
		tools: [{ type: "function", function: { name: "f", description: "d", parameters: schema } }],
		tool_choice: { type: "function", function: { name: "f" } },
		response_format: { type: "json_schema", json_schema: { name: "r", schema } },
		stop: ["x"],
	};
	const anthropic = {
		model,
		max_tokens: 16,
		system: [{ type: "text", text: "Be brief." }],
		messages: [
			{
				role: "user",
				content: [
					{ type: "text", text: "Hello" },
					{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
				],
			},
			{
				role: "assistant",
				content: [
					{ type: "thinking", thinking: "t", signature: "s" },
					{ type: "tool_use", id: "t1", name: "f", input: { city: "Paris" } },
				],
			},
			{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "sunny" }] }] },
		],
		tools: [{ name: "f", description: "d", input_schema: schema }],
		tool_choice: { type: "tool", name: "f" },
		thinking: { type: "enabled", budget_tokens: 2048 },
		metadata: { user_id: "u" },
	};
	return {
		"/v1/chat/completions": chat,
		"/api/playground/chat/completions": chat,
		"/v1/embeddings": { model, input: ["a", "b"], encoding_format: "float", dimensions: 3 },
		"/v1/responses": {
			model,
			instructions: "Be brief.",
			input: [
				{
					role: "user",
					content: [
						{ type: "input_text", text: "Hello" },
						{ type: "input_image", image_url: `data:image/png;base64,${PNG}` },
					],
				},
				{ type: "reasoning", summary: [{ type: "summary_text", text: "t" }], encrypted_content: "e" },
				{ type: "function_call", call_id: "c1", name: "f", arguments: '{"city":"Paris"}' },
				{ type: "function_call_output", call_id: "c1", output: "sunny" },
			],
			tools: [{ type: "function", name: "f", parameters: schema }],
			tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f" }] },
			text: { format: { type: "json_schema", name: "r", schema } },
			reasoning: { effort: "low" },
			max_output_tokens: 16,
		},
		"/mem0/v3/memories/add/": { user_id: "u", infer: false, metadata: { a: 1 }, messages: [{ role: "user", content: "Hello" }] },
		"/mem0/v3/memories/": { filters: { AND: [{ user_id: "u" }, { created_at: { gte: "2024-01-01" } }] }, page: 1, page_size: 10 },
		"/mem0/v3/memories/search/": { query: "Hello", filters: { OR: [{ user_id: "u" }, { agent_id: { in: ["a"] } }] }, top_k: 3, threshold: 0.1 },
		"/dify/v1/chat-messages": { inputs: { name: "Ann" }, query: "Hello", user: "u", response_mode: "blocking", files: [] },
		"/v1/messages": anthropic,
		"/v1/messages/count_tokens": { ...anthropic, max_tokens: undefined },
		"/v1beta/models/:action": {
			systemInstruction: { parts: [{ text: "Be brief." }] },
			contents: [
				{ role: "user", parts: [{ text: "Hello" }, { inlineData: { mimeType: "image/png", data: PNG } }] },
				{ role: "model", parts: [{ functionCall: { name: "f", args: { city: "Paris" } }, thoughtSignature: "s" }] },
				{ role: "user", parts: [{ functionResponse: { name: "f", response: { weather: "sunny" } } }] },
			],
			tools: [{ functionDeclarations: [{ name: "f", description: "d", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } } } }] }],
			toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } },
			generationConfig: {
				temperature: 0.5,
				maxOutputTokens: 16,
				responseMimeType: "application/json",
				responseSchema: { type: "OBJECT" },
				thinkingConfig: { thinkingBudget: 1024 },
			},
		},
	};
}

function fillPath(path: string, params: string[]): string {
	let i = 0;
	// A parameter's pattern (`:batchAction{[^/]+:batchGenerateContent}`) is not part of the URL.
	return path.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => {
		const value = params[i++] ?? "x";
		// Most Gemini calls name the served method, so the body is read; some name none.
		if (name === "action") return i % 3 === 0 ? encodeURIComponent(value) : `${model}:${value.length % 2 ? "generateContent" : "streamGenerateContent"}`;
		if (name === "batchAction") return `${model}:batchGenerateContent`;
		if (name === "cancelAction") return `${encodeURIComponent(value)}:cancel`;
		return encodeURIComponent(value);
	});
}

function authFor(path: string): Record<string, string> {
	if (path.startsWith("/api/")) return { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
	if (path.startsWith("/v1beta")) return { "x-goog-api-key": key };
	if (path.startsWith("/v1/messages")) return { "x-api-key": key, "anthropic-version": "2023-06-01" };
	if (path.startsWith("/dify/")) return { authorization: `Bearer ${appKey}` };
	return { authorization: `Bearer ${key}` };
}

function checkErrorBody(dialect: Dialect, text: string, where: string): void {
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		throw new Error(`${where}: error body is not JSON: ${text.slice(0, 200)}`);
	}
	const shapes: Record<Dialect, object> = {
		openai: { error: { message: expect.any(String), type: expect.any(String), code: expect.any(String) } },
		anthropic: { type: "error", error: { type: expect.any(String), message: expect.any(String) } },
		gemini: { error: { code: expect.any(Number), message: expect.any(String), status: expect.any(String) } },
		mem0: { detail: expect.any(String) },
		dify: { code: expect.any(String), message: expect.any(String), status: expect.any(Number) },
	};
	expect(body, where).toMatchObject(shapes[dialect]);
}

describe("fuzzed input at every route", () => {
	const routes = endpoints();

	it("finds the routes from the app", () => {
		expect(routes.length).toBeGreaterThan(40);
		expect(routes).toContainEqual({ method: "POST", path: "/v1/chat/completions" });
	});

	it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))("%s: never a 5xx, errors in the API's format", async (_name, route) => {
		const template = templates()[route.path];
		const hasBody = route.method !== "GET" && route.method !== "DELETE";
		const params = fc.array(paramValue, { minLength: 2, maxLength: 2 });
		const input = fc.record({ params, query: queryString, type: contentType, body: hasBody ? bodyText(template) : fc.constant(undefined) });
		await fc.assert(
			fc.asyncProperty(input, async ({ params: values, query, type, body }) => {
				const path = fillPath(route.path, values);
				const headers: Record<string, string> = { ...authFor(route.path), ...(type ? { "content-type": type } : {}) };
				const res = await call(`${path}${query}`, { method: route.method, headers, ...(body === undefined ? {} : { body }) });
				const text = await res.text();
				const where = `${route.method} ${path}${query} ${type} ${body?.slice(0, 120) ?? ""} → ${res.status} ${text.slice(0, 200)}`;
				expect(res.status, where).toBeLessThan(500);
				if (res.status >= 400) checkErrorBody(dialectOf(route.path), text, where);
			}),
			{ seed: SEED, numRuns: template ? 200 : 12, endOnFailure: true },
		);
	});

	// Random search reaches a given place only now and then; nesting far past the limit is tried at every one.
	it.each(Object.keys(templates()))("%s: nesting 10,000 deep at any place in the body is a 400", async (route) => {
		const template = templates()[route] ?? {};
		const path = fillPath(route, ["x", "y"]);
		const headers = { ...authFor(route), "content-type": "application/json" };
		for (const at of pathsOf(template)) {
			const body = spliceDeep(JSON.stringify(mutate(template, at, `${DEEP}o10000`)));
			const res = await call(path, { method: "POST", headers, body });
			const text = await res.text();
			const where = `${route} at ${at.join(".")} → ${res.status} ${text.slice(0, 200)}`;
			expect(res.status, where).toBe(400);
			checkErrorBody(dialectOf(route), text, where);
		}
	});
});
