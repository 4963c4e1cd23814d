// A loopback stand-in for Mem0's platform API that records what a client sends and answers what the test scripts.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
	method: string;
	/** Path and query, exactly as sent. */
	url: string;
	headers: IncomingMessage["headers"];
	/** The body parsed as JSON, or undefined when none was sent. */
	body: unknown;
}

export interface Reply {
	status: number;
	/** Sent as JSON unless it is a string, which is sent as it is. */
	body: unknown;
}

export type Script = (request: RecordedRequest) => Reply;

async function readBody(request: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(Buffer.from(chunk));
	const text = Buffer.concat(chunks).toString("utf8");
	return text === "" ? undefined : JSON.parse(text);
}

export async function startRecorder(script: Script) {
	const requests: RecordedRequest[] = [];
	const server = createServer(async (incoming, response) => {
		const recorded: RecordedRequest = {
			method: incoming.method ?? "",
			url: incoming.url ?? "",
			headers: incoming.headers,
			body: await readBody(incoming),
		};
		requests.push(recorded);
		const reply = script(recorded);
		const isText = typeof reply.body === "string";
		response.writeHead(reply.status, { "content-type": isText ? "text/plain" : "application/json" });
		response.end(isText ? reply.body : JSON.stringify(reply.body));
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		/** The requests since the last call, so that each test sees only its own. */
		take(): RecordedRequest[] {
			return requests.splice(0, requests.length);
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
