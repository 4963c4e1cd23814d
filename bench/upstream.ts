// The benchmark's upstream: an OpenAI-compatible server on loopback that answers from prebuilt bytes, so
// that what the benchmark measures is the gateway, not this server. Streams pause between chunks, so a relay
// that buffered would show it in its time to first byte.
//   node bench/upstream.ts --chunks 8 --chunk-delay-ms 10   → prints {"url": "..."} once listening
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { chunks: { type: "string", default: "8" }, "chunk-delay-ms": { type: "string", default: "10" } } });
const chunks = Number(values.chunks);
const pauseMs = Number(values["chunk-delay-ms"]);

const usage = { prompt_tokens: 24, completion_tokens: chunks, total_tokens: 24 + chunks };
const completion = Buffer.from(
	JSON.stringify({
		id: "chatcmpl-bench",
		object: "chat.completion",
		created: 1,
		model: "bench-chat",
		choices: [{ index: 0, message: { role: "assistant", content: "word ".repeat(chunks).trim() }, finish_reason: "stop" }],
		usage,
	}),
);
const embedding = Buffer.from(
	JSON.stringify({
		object: "list",
		model: "bench-embedding",
		data: [{ object: "embedding", index: 0, embedding: Array.from({ length: 256 }, (_, i) => Math.sin(i) / 4) }],
		usage: { prompt_tokens: 8, total_tokens: 8 },
	}),
);
const event = (data: object) => Buffer.from(`data: ${JSON.stringify(data)}\n\n`);
const delta = (content: string, finish: string | null) =>
	event({
		id: "chatcmpl-bench",
		object: "chat.completion.chunk",
		created: 1,
		model: "bench-chat",
		choices: [{ index: 0, delta: { content }, finish_reason: finish }],
	});
const wordEvent = delta("word ", null);
const stopEvent = delta("", "stop");
const usageEvent = event({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench-chat", choices: [], usage });
const done = Buffer.from("data: [DONE]\n\n");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stream(res: ServerResponse, includeUsage: boolean) {
	res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
	for (let i = 0; i < chunks; i++) {
		if (i > 0 && pauseMs > 0) await sleep(pauseMs);
		if (res.destroyed) return;
		res.write(wordEvent);
	}
	res.write(stopEvent);
	if (includeUsage) res.write(usageEvent);
	res.end(done);
}

function send(res: ServerResponse, body: Buffer) {
	res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
	res.end(body);
}

const server = createServer((req, res) => {
	const parts: Buffer[] = [];
	req.on("data", (part: Buffer) => parts.push(part));
	req.on("end", () => {
		if (req.url?.endsWith("/embeddings")) return send(res, embedding);
		// The traced gateway's OTLP exports (bench/run.ts, gateway-traced): taken and dropped, as a collector would.
		if (req.url?.endsWith("/v1/traces")) return send(res, Buffer.from("{}"));
		if (!req.url?.endsWith("/chat/completions")) {
			res.writeHead(404).end();
			return;
		}
		// Only the two flags that change the answer are looked for; parsing the whole body would make this the bottleneck.
		const text = Buffer.concat(parts).toString();
		if (/"stream"\s*:\s*true/.test(text)) return void stream(res, /"include_usage"\s*:\s*true/.test(text));
		send(res, completion);
	});
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
	const { port } = server.address() as AddressInfo;
	console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});
process.on("SIGTERM", () => process.exit(0));
