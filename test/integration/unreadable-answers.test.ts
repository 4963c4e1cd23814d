// An upstream answer that is not what it claims (200 with JSON cut in half; a stream event whose data does not parse)
// is the channel's failure, in every client dialect, passed through or translated: before the first byte it fails over
// like a 5xx (a 502 in the client's dialect when no channel is left), after it the stream ends with the dialect's error
// event; never recorded as a success.
import { describe, expect, inject, it } from "vitest";
import { sseEvents } from "../../src/protocols/sse";
import { admin, call, createChannel, createKey, uid, upstream, usageRow } from "../support/gateway";

type Wire = "openai" | "anthropic" | "gemini";

/** Where a channel of each wire is healthy or answers badly, on the loopback upstream. */
function channelOf(wire: Wire, tag: string, bad: boolean, embeddings = false) {
	if (wire === "openai") return { type: "openai", base_url: upstream(tag, bad ? "badjson" : "ok") };
	const fixture = embeddings ? "embeddings" : "text";
	return { type: wire, base_url: `${inject("upstreamUrl")}/${tag}/${bad ? "badjson" : "fixture"}/${wire}/${fixture}`, key: `k-${wire}-0000000001` };
}

interface Dialect {
	/** The request, streamed or not. */
	send(key: string, model: string, stream: boolean): Promise<Response>;
	/** The body of a served answer, as this dialect's clients see one. */
	served: Record<string, unknown>;
	/** A 502 as this dialect's clients read it. */
	error502: Record<string, unknown>;
	/** This dialect's mid-stream error event, found among the stream's events (embeddings have no stream). */
	streamError?(events: { event: string | undefined; data: string }[]): unknown;
}

const post = (path: string, headers: Record<string, string>, body: unknown) =>
	call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const json = (data: string): unknown => (data === "[DONE]" ? data : JSON.parse(data));
const openaiStreamError = (events: { data: string }[]) => events.map((e) => json(e.data)).find((d) => typeof d === "object" && d !== null && "error" in d);
const messages = [{ role: "user", content: "hi" }];

const dialects: Record<string, Dialect> = {
	chat: {
		send: (key, model, stream) => post("/v1/chat/completions", bearer(key), { model, messages, stream }),
		served: { object: "chat.completion", choices: [{ message: { role: "assistant" } }] },
		error502: { error: { code: "upstream_error", type: "api_error" } },
		streamError: openaiStreamError,
	},
	embeddings: {
		send: (key, model) => post("/v1/embeddings", bearer(key), { model, input: "hi" }),
		served: { object: "list", data: expect.arrayContaining([expect.objectContaining({ object: "embedding" })]) },
		error502: { error: { code: "upstream_error", type: "api_error" } },
	},
	responses: {
		send: (key, model, stream) => post("/v1/responses", bearer(key), { model, input: "hi", stream }),
		served: { object: "response", status: "completed" },
		error502: { error: { code: "upstream_error", type: "api_error" } },
		streamError: (events) => events.find((e) => e.event === "error") && events.find((e) => e.event === "response.failed"),
	},
	anthropic: {
		send: (key, model, stream) => post("/v1/messages", { "x-api-key": key, "anthropic-version": "2023-06-01" }, { model, max_tokens: 64, messages, stream }),
		served: { type: "message", role: "assistant" },
		error502: { type: "error", error: { type: "api_error" } },
		streamError: (events) => events.find((e) => e.event === "error" && (json(e.data) as { type?: string }).type === "error"),
	},
	gemini: {
		send: (key, model, stream) =>
			post(
				`/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
				{ "x-goog-api-key": key },
				{ contents: [{ role: "user", parts: [{ text: "hi" }] }] },
			),
		served: { candidates: [{ content: { role: "model" } }] },
		error502: { error: { code: 502, status: "UNAVAILABLE" } },
		streamError: openaiStreamError,
	},
};

/** Client dialect, channel wire: each client dialect against its own wire (passed through) and another (translated). */
const PAIRS: [keyof typeof dialects, Wire][] = [
	["chat", "openai"],
	["chat", "anthropic"],
	["chat", "gemini"],
	["embeddings", "openai"],
	["embeddings", "gemini"],
	["responses", "openai"],
	["responses", "anthropic"],
	["anthropic", "anthropic"],
	["anthropic", "openai"],
	["gemini", "gemini"],
	["gemini", "openai"],
];

async function setup(wire: Wire, embeddings: boolean, healthyToo: boolean) {
	const tag = uid();
	const model = `unread-${tag}`;
	const bad = await createChannel({ ...channelOf(wire, tag, true, embeddings), models: [model], priority: 10 });
	const good = healthyToo ? await createChannel({ ...channelOf(wire, tag, false, embeddings), models: [model], priority: 0 }) : undefined;
	const { key } = await createKey();
	return { model, key, bad, good };
}

describe.each(PAIRS)("a %s client on a %s channel that answers unreadable JSON", (dialectName, wire) => {
	const dialect = dialects[dialectName] as Dialect;
	const embeddings = dialectName === "embeddings";

	it("is served by the next channel, the bad one reported to its breaker", async () => {
		const { model, key, bad, good } = await setup(wire, embeddings, true);
		const res = await dialect.send(key, model, false);
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-channel")).toBe(String(good?.id));
		expect(res.headers.get("x-gateway-attempts")).toBe("2");
		expect((await res.json()) as object).toMatchObject(dialect.served);
		// An unreadable answer concerns the model on that channel, as a 5xx would: its breaker for the model learns of it.
		const lastError = async () => {
			const health = (await (await admin("GET", `/api/channels/${bad.id}/health`)).json()) as { models: { model: string; last_error: string | null }[] };
			return health.models.find((m) => m.model === model)?.last_error ?? "";
		};
		await expect.poll(lastError, { timeout: 5_000 }).toContain("unreadable");
	});

	it("with no other channel, is a 502 in the client's dialect, recorded as failed", async () => {
		const { model, key } = await setup(wire, embeddings, false);
		const res = await dialect.send(key, model, false);
		expect(res.status).toBe(502);
		const body = (await res.json()) as object;
		expect(body).toMatchObject(dialect.error502);
		expect(JSON.stringify(body)).toContain("could not be read");
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ status: 502, error_code: "upstream_error" });
	});
});

describe.each(PAIRS.filter(([dialect]) => dialect !== "embeddings"))(
	"a %s client streaming from a %s channel that sends an unreadable event",
	(dialectName, wire) => {
		const dialect = dialects[dialectName] as Dialect;

		it("ends with the dialect's error event, recorded as incomplete", async () => {
			const { model, key } = await setup(wire, false, false);
			const res = await dialect.send(key, model, true);
			expect(res.status).toBe(200);
			const raw = await res.text();
			const events = sseEvents(raw);
			expect(dialect.streamError?.(events)).toBeDefined();
			expect(raw).toContain("could not be read");
			// Nothing after the error: the stream ended there.
			expect(raw).not.toContain("[DONE]");
			expect(raw).not.toContain("message_stop");
			const row = await usageRow(res.headers.get("x-request-id") ?? "");
			expect(row).toMatchObject({ status: 502, error_code: "upstream_stream_failed", partial: 1 });
		});
	},
);
