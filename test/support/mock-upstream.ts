// An OpenAI-compatible upstream on loopback for tests and benchmarks. The path says how to behave:
//   /<tag>/<scenario>/v1/chat/completions | /v1/embeddings | /v1/rerank (Jina's or Voyage's shape) | /v2/rerank (Cohere's)
//   | GET /v1/models (the list the health probes read; the scenario's errors apply to it as to the others)
// <tag> keeps concurrent tests apart in the request log (GET /__requests?tag=...); scenarios:
//   ok | status-<code> | hang | reset | no-usage | cut | slow | billing-400 | quota-429
//   long (4,096 words, as many as max_tokens allows)
//   slow-headers: answers as ok, but only after 800 ms (a channel that is slow to its first byte)
//   badjson: 200 with JSON cut in half; a stream with one event (after the first few) whose data does not parse
//   story: the deterministic STORY ("word0 word1 … word39"), streamed; asked to continue (the last message the
//   assistant's, or the assistant's followed by a user's), it goes on after the words already there
//   story-cut-<n> | story-error-<n> | story-stall-<n>: story, but after <n> words the connection drops, an error
//   event ends it, or it goes silent (kept open); story-repeat: continues by repeating the last two words given;
//   story-tool-cut: a text word, then a tool call's first delta, then the connection drops
// The story scenarios also speak Anthropic's and Gemini's streams: /<tag>/story…/v1/messages and
// /<tag>/story…/v1beta/models/<model>:streamGenerateContent (its prefill, or its last model turn, says where to go on).
// Every answer honours max_tokens / max_completion_tokens (a word is a token), as a real upstream does.
// An upstream model named `scenario/<scenario>` (a channel's model_mapping gives it) behaves as that scenario
// whatever the path says, so one channel can serve healthy and failing models side by side; `scenario/tools`
// answers with the OpenAI tools fixture.
// /<tag>/<scenario>/v1/audio/speech | transcriptions | translations: see mock-upstream-audio.ts.
// It also plays any provider from recorded wire fixtures:
//   /<tag>/fixture/<provider>/<name>/<anything the provider appends>
// Images and moderation (OpenAI's and Imagen's): see mock-upstream-images.ts.
// and an OTLP/HTTP JSON collector: POST /<tag>/otlp/v1/traces is logged under <tag> with its body.
// answers test/fixtures/<provider>/<name>.sse when the request asks for a stream, else <name>.json, the SSE
// sent in pieces that cut events in two, as networks do; /<tag>/badjson/<provider>/<name>/... plays the same
// fixture spoiled as the badjson scenario is.
// At the root it answers as the providers' own hosts do (/v1/chat/completions, /v1/messages,
// /v1beta/models/<model>:generateContent), playing their `text` fixtures, logged under the tag "root": for base
// URLs given without their version segment.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AUDIO_PATH, answerAudio } from "./mock-upstream-audio.ts";
import { imagesUpstream } from "./mock-upstream-images.ts";
import { STORY } from "./story.ts";

export interface LoggedRequest {
	tag: string;
	scenario: string;
	path: string;
	/** The query string, e.g. `?alt=sse`. */
	search: string;
	authorization: string | null;
	/** The other credential and version headers providers use. */
	headers: Record<string, string | undefined>;
	body: Record<string, unknown>;
	/** The client closed the connection before the response was finished. */
	aborted: boolean;
	/** A webhook's body exactly as received (/<tag>/webhook/…), for checking its signature. */
	raw?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Errors as OpenAI words them: the status and `error.code` say who is at fault, the message may echo the request. */
const PROVIDER_ERRORS: Record<string, { status: number; error: Record<string, unknown> }> = {
	// A field the client sent, named in the message: the client's fault, whatever the field is called.
	"billing-400": {
		status: 400,
		error: { message: "Unrecognized request argument supplied: billing", type: "invalid_request_error", param: null, code: null },
	},
	// The account cannot pay: the channel's fault, said by the code.
	"quota-429": {
		status: 429,
		error: {
			message: "You exceeded your current quota, please check your plan and billing details.",
			type: "insufficient_quota",
			param: null,
			code: "insufficient_quota",
		},
	},
};

function chunk(model: string, delta: object, finish: string | null, withUsage: boolean) {
	return {
		id: "chatcmpl-up",
		object: "chat.completion.chunk",
		created: 1,
		model,
		choices: [{ index: 0, delta, finish_reason: finish }],
		...(withUsage ? { usage: null } : {}),
	};
}

const WORDS = ["Hi", " there", ",", " from", " the", " upstream", "."];
const LONG = Array.from({ length: 4096 }, (_, i) => (i === 0 ? "Word" : " word"));

/** A JSON text cut in half, as a connection dropped mid-answer would leave it. */
const cutJson = (text: string) => text.slice(0, Math.floor(text.length / 2));

/** An SSE text whose middle event's data no longer parses. */
function spoilStream(text: string): string {
	const events = text.split(/(?<=\r?\n\r?\n)/);
	const middle = Math.floor(events.length / 2);
	events[middle] = (events[middle] ?? "").replace(/^data: (.*)$/m, (_, data: string) => `data: ${cutJson(data)}`);
	return events.join("");
}

/** What the upstream writes: its words, no more than the request allows, and whether it stopped for that limit. */
function answerFor(scenario: string, body: Record<string, unknown>) {
	// slow-long: forty words, slowly (six seconds), for what must happen while an answer is still streaming.
	const all = scenario === "long" ? LONG : scenario === "slow-long" ? LONG.slice(0, 40) : WORDS;
	const limits = [body.max_tokens, body.max_completion_tokens].filter((v): v is number => typeof v === "number");
	const words = all.slice(0, Math.min(all.length, ...limits));
	const usage = { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length, prompt_tokens_details: { cached_tokens: 3 } };
	return { words, usage, finish: words.length < all.length ? "length" : "stop" };
}

type Answer = ReturnType<typeof answerFor>;

async function stream(res: ServerResponse, model: string, scenario: string, includeUsage: boolean, { words, usage, finish }: Answer) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
	const pause = scenario === "slow" || scenario === "slow-long" ? 150 : scenario === "cut" ? 30 : 0;
	send(chunk(model, { role: "assistant", content: "" }, null, includeUsage));
	for (const [i, w] of words.entries()) {
		if (pause) await sleep(pause);
		if (res.destroyed) return;
		if (scenario === "cut" && i === 2) {
			res.destroy();
			return;
		}
		if (scenario === "badjson" && i === 3) res.write(`data: ${cutJson(JSON.stringify(chunk(model, { content: w }, null, includeUsage)))}\n\n`);
		else send(chunk(model, { content: w }, null, includeUsage));
	}
	send(chunk(model, {}, finish, includeUsage));
	if (includeUsage && scenario !== "no-usage") send({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [], usage });
	res.end("data: [DONE]\n\n");
}

type Turn = { role?: string; content?: unknown; parts?: { text?: string }[] };

/** A turn's text, however the dialect holds it: a string, content blocks, or Gemini's parts. */
const turnText = (turn: Turn | undefined): string => {
	if (typeof turn?.content === "string") return turn.content;
	const blocks = Array.isArray(turn?.content) ? (turn.content as { text?: string }[]) : (turn?.parts ?? []);
	return blocks.map((b) => b.text ?? "").join("");
};

/** The text an assistant message already holds of STORY, when asked to continue: the last assistant (model) turn's. */
function storyStart(body: Record<string, unknown>): number {
	const turns = (Array.isArray(body.messages) ? body.messages : Array.isArray(body.contents) ? body.contents : []) as Turn[];
	const given = turnText(turns.findLast((m) => m.role === "assistant" || m.role === "model"));
	if (!given) return 0;
	for (let k = STORY.length; k > 0; k--) if (STORY.slice(0, k).join("").trimEnd() === given.trimEnd()) return k;
	return 0;
}

/** A story stream's events in one wire: its opening, one word, its end (with the words sent), a mid-stream error. */
interface StoryWire {
	open(model: string): string[];
	word(model: string, text: string): string;
	close(model: string, words: number): string[];
	error: string;
}

const sseOf = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;

const STORY_WIRES: Record<"anthropic" | "gemini", StoryWire> = {
	anthropic: {
		open: (model) => [
			sseOf(
				{
					type: "message_start",
					message: { id: "msg_up", type: "message", role: "assistant", model, content: [], usage: { input_tokens: 11, output_tokens: 1 } },
				},
				"message_start",
			),
			sseOf({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
		],
		word: (_, text) => sseOf({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, "content_block_delta"),
		close: (_, words) => [
			sseOf({ type: "content_block_stop", index: 0 }, "content_block_stop"),
			sseOf({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: words } }, "message_delta"),
			sseOf({ type: "message_stop" }, "message_stop"),
		],
		error: sseOf({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "error"),
	},
	gemini: {
		open: () => [],
		word: (model, text) => sseOf({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }], modelVersion: model, responseId: "resp_up" }),
		close: (model, words) => [
			sseOf({
				candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 }],
				usageMetadata: { promptTokenCount: 11, candidatesTokenCount: words, totalTokenCount: 11 + words },
				modelVersion: model,
				responseId: "resp_up",
			}),
		],
		error: sseOf({ error: { code: 503, message: "overloaded mid-stream", status: "UNAVAILABLE" } }),
	},
};

async function storyInWire(res: ServerResponse, wire: StoryWire, model: string, scenario: string, body: Record<string, unknown>) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	const start = storyStart(body);
	const words = STORY.slice(scenario === "story-repeat" ? Math.max(0, start - 2) : start);
	const breaks = /^story-(cut|error|stall)-(\d+)$/.exec(scenario);
	for (const event of wire.open(model)) res.write(event);
	for (const [i, w] of words.entries()) {
		await sleep(2);
		if (res.destroyed) return;
		if (breaks && i === Number(breaks[2])) {
			if (breaks[1] === "cut") return res.destroy();
			if (breaks[1] === "error") return res.end(wire.error);
			return;
		}
		res.write(wire.word(model, w));
	}
	res.end(wire.close(model, words.length).join(""));
}

async function storyStream(res: ServerResponse, model: string, scenario: string, body: Record<string, unknown>) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
	const start = storyStart(body);
	const words = STORY.slice(scenario === "story-repeat" ? Math.max(0, start - 2) : start);
	const breaks = /^story-(cut|error|stall)-(\d+)$/.exec(scenario);
	send(chunk(model, { role: "assistant", content: "" }, null, true));
	for (const [i, w] of words.entries()) {
		await sleep(2);
		if (res.destroyed) return;
		if (breaks && i === Number(breaks[2])) {
			if (breaks[1] === "cut") return res.destroy();
			if (breaks[1] === "error") return res.end(`data: ${JSON.stringify({ error: { message: "overloaded mid-stream", type: "server_error" } })}\n\n`);
			return; // stall: silent, the connection kept open
		}
		if (scenario === "story-tool-cut" && i === 1) {
			send(chunk(model, { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "lookup", arguments: "" } }] }, null, true));
			await sleep(2);
			return res.destroy();
		}
		send(chunk(model, { content: w }, null, true));
	}
	send(chunk(model, {}, "stop", true));
	const usage = { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length };
	send({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [], usage });
	res.end("data: [DONE]\n\n");
}

/**
 * A rerank answer: the documents ranked last first (scores n/n … 1/n), cut to top_n (top_k), in the shape of whoever
 * is asked: Cohere v2 at /v2/rerank, Voyage when the body has Voyage's `top_k`, else Jina (documents included).
 */
function rerankAnswer(op: string, model: string, body: Record<string, unknown>) {
	const documents = Array.isArray(body.documents) ? body.documents.map(String) : [];
	const limit = [body.top_n, body.top_k].find((v): v is number => typeof v === "number") ?? documents.length;
	const ranked = documents.map((_, i) => documents.length - 1 - i).slice(0, limit);
	const score = (index: number) => (index + 1) / documents.length;
	if (op === "rerank-v2") {
		return { id: "rr-up", results: ranked.map((index) => ({ index, relevance_score: score(index) })), meta: { billed_units: { search_units: 1 } } };
	}
	if ("top_k" in body) {
		return { object: "list", model, data: ranked.map((index) => ({ index, relevance_score: score(index) })), usage: { total_tokens: 21 } };
	}
	const results = ranked.map((index) => ({ index, relevance_score: score(index), document: { text: documents[index] } }));
	return { model, results, usage: { total_tokens: 17 } };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { "content-type": "application/json", ...headers });
	res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
	let text = "";
	for await (const part of req) text += part;
	try {
		return JSON.parse(text);
	} catch {
		return {};
	}
}

const FIXTURES = new URL("../fixtures/", import.meta.url);

async function playFixture(res: ServerResponse, provider: string, name: string, stream: boolean, spoiled = false) {
	let text: string;
	try {
		text = readFileSync(new URL(`${provider}/${name}.${stream ? "sse" : "json"}`, FIXTURES), "utf8");
	} catch {
		return json(res, 404, { error: { message: `no fixture ${provider}/${name}` } });
	}
	if (spoiled) text = stream ? spoilStream(text) : cutJson(text);
	if (!stream) {
		res.writeHead(200, { "content-type": "application/json" });
		return res.end(text);
	}
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	const events = text.split(/(?<=\r?\n\r?\n)/);
	for (const event of events) {
		const half = Math.ceil(event.length / 2);
		res.write(event.slice(0, half));
		await sleep(1);
		res.write(event.slice(half));
		await sleep(1);
	}
	res.end();
}

/** The credentials a logged request carried (Bearer tokens and API key headers): the upstream keys a run used. */
function credentialsOf(log: readonly LoggedRequest[]): string[] {
	const seen = new Set<string>();
	for (const r of log) {
		if (r.authorization) seen.add(r.authorization.replace(/^(Bearer|Token)\s+/i, ""));
		for (const name of ["x-api-key", "x-goog-api-key", "api-key"]) {
			const value = r.headers[name];
			if (value) seen.add(value);
		}
	}
	return [...seen];
}

export async function startMockUpstream(): Promise<{ url: string; server: Server; close: () => Promise<void>; credentials: () => string[] }> {
	const log: LoggedRequest[] = [];
	const server = createServer(async (req, res) => {
		const url = new URL(req.url ?? "/", "http://x");
		if (url.pathname === "/__requests") {
			const tag = url.searchParams.get("tag");
			return json(
				res,
				200,
				log.filter((r) => r.tag === tag),
			);
		}
		const fixtureFile = /^\/__fixtures\/([\w-]+\/[\w-]+\.(?:json|sse))$/.exec(url.pathname);
		if (fixtureFile) {
			// The request fixtures, for tests running inside workerd where there is no file system.
			try {
				const text = readFileSync(new URL(fixtureFile[1] ?? "", FIXTURES), "utf8");
				res.writeHead(200, { "content-type": "text/plain" });
				return res.end(text);
			} catch {
				return json(res, 404, { error: { message: `no fixture ${fixtureFile[1]}` } });
			}
		}
		const logRequest = (tag: string, scenario: string, body: Record<string, unknown>) => {
			const headers: Record<string, string | undefined> = {};
			for (const name of ["x-api-key", "x-goog-api-key", "api-key", "anthropic-version", "anthropic-beta", "traceparent", "tracestate"])
				headers[name] = req.headers[name] as string | undefined;
			const entry: LoggedRequest = {
				tag,
				scenario,
				path: url.pathname,
				search: url.search,
				authorization: req.headers.authorization ?? null,
				headers,
				body,
				aborted: false,
			};
			log.push(entry);
			res.on("close", () => {
				if (!res.writableFinished) entry.aborted = true;
			});
		};
		// An operator webhook (ALERT_WEBHOOK_URL): /<tag>/webhook/<anything>, logged with its raw body and the gateway's
		// x-gateway-* headers, answered 200.
		const webhook = /^\/([^/]+)\/webhook(\/.*)?$/.exec(url.pathname);
		if (webhook) {
			let raw = "";
			for await (const part of req) raw += part;
			const headers: Record<string, string | undefined> = {};
			for (const [name, value] of Object.entries(req.headers)) if (name.startsWith("x-gateway-") && typeof value === "string") headers[name] = value;
			let body: Record<string, unknown> = {};
			try {
				body = JSON.parse(raw);
			} catch {
				// Logged as received: the test judges it.
			}
			log.push({ tag: webhook[1] ?? "", scenario: "webhook", path: url.pathname, search: url.search, authorization: null, headers, body, aborted: false, raw });
			return json(res, 200, { ok: true });
		}
		// A loopback OTLP/HTTP collector: the gateway's OTEL_EXPORTER_OTLP_ENDPOINT set to <url>/<tag>/otlp.
		const otlp = /^\/([^/]+)\/otlp\/v1\/traces$/.exec(url.pathname);
		if (otlp && req.method === "POST") {
			logRequest(otlp[1] ?? "", "otlp", await readBody(req));
			return json(res, 200, {});
		}
		// (/<tag>/badjson/v1/… is the OpenAI scenario below.)
		const fixture = /^\/([^/]+)\/(fixture|badjson)\/(?!v1\/)([\w-]+)\/([\w-]+)(\/.*)?$/.exec(url.pathname);
		if (fixture) {
			const [, tag = "", how = "", provider = "", name = ""] = fixture;
			const body = await readBody(req);
			logRequest(tag, `${how}/${provider}/${name}`, body);
			const streamed = body.stream === true || url.pathname.includes(":streamGenerateContent");
			return playFixture(res, provider, name, streamed, how === "badjson");
		}
		const root = /^\/v1\/(chat\/completions|messages)$|^\/v1beta\/models\/[^/]+:(generateContent|streamGenerateContent)$/.exec(url.pathname);
		if (root) {
			const body = await readBody(req);
			logRequest("root", "root", body);
			const provider = root[1] === "messages" ? "anthropic" : root[1] ? "openai" : "gemini";
			return playFixture(res, provider, "text", body.stream === true || root[2] === "streamGenerateContent");
		}
		const story = /^\/([^/]+)\/(story[\w-]*)\/(?:v1\/messages|v1beta\/models\/([^/:]+):streamGenerateContent)$/.exec(url.pathname);
		if (story) {
			const [, tag = "", scenario = "", geminiModel] = story;
			const body = await readBody(req);
			logRequest(tag, scenario, body);
			const wire = geminiModel === undefined ? STORY_WIRES.anthropic : STORY_WIRES.gemini;
			return storyInWire(res, wire, geminiModel ?? String(body.model), scenario, body);
		}
		const audio = AUDIO_PATH.exec(url.pathname);
		if (audio) return answerAudio(req, res, audio, logRequest);
		if (await imagesUpstream(url, req, res, logRequest)) return;
		const match = /^\/([^/]+)\/([^/]+)\/(?:v1\/(chat\/completions|embeddings|rerank|models)|v2\/(rerank))$/.exec(url.pathname);
		if (!match) return json(res, 404, { error: { message: "no such route" } });
		const [, tag = "", pathScenario = "", v1op, v2op] = match;
		const op = v1op ?? (v2op ? "rerank-v2" : "");
		const body = await readBody(req);
		const model = String(body.model);
		const scenario = /^scenario\/(.+)$/.exec(model)?.[1] ?? pathScenario;
		logRequest(tag, scenario, body);
		if (scenario === "tools") return playFixture(res, "openai", "tools", body.stream === true);
		const known = PROVIDER_ERRORS[scenario];
		if (known) return json(res, known.status, { error: known.error });
		const status = /^status-(\d{3})$/.exec(scenario);
		if (status) {
			const code = Number(status[1]);
			return json(
				res,
				code,
				{ error: { message: `Incorrect API key provided: sk-live-${"x".repeat(20)}1234 (simulated ${code})`, type: "upstream" } },
				code === 429 ? { "retry-after": "7" } : {},
			);
		}
		if (scenario === "hang") return; // never answers; the gateway's timeout must fire
		if (scenario === "reset") return req.socket.destroy();
		// The answer as it should be, or cut in half.
		const reply = (value: unknown) => {
			res.writeHead(200, { "content-type": "application/json" });
			res.end(scenario === "badjson" ? cutJson(JSON.stringify(value)) : JSON.stringify(value));
		};
		if (op === "rerank" || op === "rerank-v2") return reply(rerankAnswer(op, model, body));
		if (op === "models") return reply({ object: "list", data: [{ id: "mock-listed", object: "model", created: 1, owned_by: "upstream" }] });
		if (op === "embeddings") {
			return reply({
				object: "list",
				model,
				data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3] }],
				usage: { prompt_tokens: 4, total_tokens: 4 },
			});
		}
		if (scenario === "slow-headers") await sleep(800);
		if (scenario.startsWith("story") && body.stream) return storyStream(res, model, scenario, body);
		const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
		const answer = answerFor(scenario, body);
		if (body.stream) return stream(res, model, scenario, includeUsage, answer);
		return reply({
			id: "chatcmpl-up",
			object: "chat.completion",
			created: 1,
			model,
			choices: [{ index: 0, message: { role: "assistant", content: answer.words.join("") }, finish_reason: answer.finish }],
			...(scenario === "no-usage" ? {} : { usage: answer.usage }),
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		server,
		credentials: () => credentialsOf(log),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
