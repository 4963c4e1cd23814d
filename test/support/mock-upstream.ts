// An OpenAI-compatible upstream on loopback for tests and benchmarks. The path says how to behave:
//   /<tag>/<scenario>/v1/chat/completions | /v1/embeddings
// <tag> keeps concurrent tests apart in the request log (GET /__requests?tag=...); scenarios:
//   ok | status-<code> | hang | reset | no-usage | cut | slow
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
	tag: string;
	scenario: string;
	path: string;
	authorization: string | null;
	body: Record<string, unknown>;
	/** The client closed the connection before the response was finished. */
	aborted: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
const USAGE = { prompt_tokens: 11, completion_tokens: WORDS.length, total_tokens: 11 + WORDS.length, prompt_tokens_details: { cached_tokens: 3 } };

async function stream(res: ServerResponse, model: string, scenario: string, includeUsage: boolean) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
	const pause = scenario === "slow" ? 150 : scenario === "cut" ? 30 : 0;
	send(chunk(model, { role: "assistant", content: "" }, null, includeUsage));
	for (const [i, w] of WORDS.entries()) {
		if (pause) await sleep(pause);
		if (res.destroyed) return;
		if (scenario === "cut" && i === 2) {
			res.destroy();
			return;
		}
		send(chunk(model, { content: w }, null, includeUsage));
	}
	send(chunk(model, {}, "stop", includeUsage));
	if (includeUsage && scenario !== "no-usage") send({ id: "chatcmpl-up", object: "chat.completion.chunk", created: 1, model, choices: [], usage: USAGE });
	res.end("data: [DONE]\n\n");
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

export async function startMockUpstream(): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
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
		const match = /^\/([^/]+)\/([^/]+)\/v1\/(chat\/completions|embeddings)$/.exec(url.pathname);
		if (!match) return json(res, 404, { error: { message: "no such route" } });
		const [, tag = "", scenario = "", op] = match;
		const body = await readBody(req);
		const entry: LoggedRequest = { tag, scenario, path: url.pathname, authorization: req.headers.authorization ?? null, body, aborted: false };
		log.push(entry);
		res.on("close", () => {
			if (!res.writableFinished) entry.aborted = true;
		});
		const model = String(body.model);
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
		if (op === "embeddings") {
			return json(res, 200, {
				object: "list",
				model,
				data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3] }],
				usage: { prompt_tokens: 4, total_tokens: 4 },
			});
		}
		const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
		if (body.stream) return stream(res, model, scenario, includeUsage);
		return json(res, 200, {
			id: "chatcmpl-up",
			object: "chat.completion",
			created: 1,
			model,
			choices: [{ index: 0, message: { role: "assistant", content: WORDS.join("") }, finish_reason: "stop" }],
			...(scenario === "no-usage" ? {} : { usage: USAGE }),
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		server,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
