// A stream that breaks after its first byte with only text in flight is continued on another channel of the model
// and spliced into the same client stream: one answer, no repeat, no gap, one end, in each client dialect.
import { describe, expect, inject, it } from "vitest";
import { admin, call, chat, createChannel, createKey, readSse, scenario, uid, upstream, upstreamLog, usageRow } from "../support/gateway";
import { STORY } from "../support/story";

const WHOLE = STORY.join("");
const question = { role: "user", content: "tell the story" };

type Dialect = "openai" | "anthropic" | "gemini" | "responses";

/** Asks for a stream in a client dialect; returns the request id, the text the client read, how many end events it saw, and any error event. */
async function ask(dialect: Dialect, model: string, key: string, headers: Record<string, string> = {}) {
	const res = await send(dialect, model, key, headers);
	expect(res.status).toBe(200);
	const requestId = res.headers.get("x-request-id") ?? "";
	const { events } = await readSse(res);
	return { requestId, ...readDialect(dialect, events) };
}

function send(dialect: Dialect, model: string, key: string, headers: Record<string, string>): Promise<Response> {
	const json = { "content-type": "application/json", ...headers };
	if (dialect === "openai") return chat(key, { model, messages: [question], stream: true }, headers);
	if (dialect === "anthropic") {
		return call("/v1/messages", {
			method: "POST",
			headers: { ...json, "x-api-key": key },
			body: JSON.stringify({ model, max_tokens: 200, messages: [question], stream: true }),
		});
	}
	if (dialect === "gemini") {
		return call(`/v1beta/models/${model}:streamGenerateContent?alt=sse`, {
			method: "POST",
			headers: { ...json, "x-goog-api-key": key },
			body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: question.content }] }] }),
		});
	}
	return call("/v1/responses", {
		method: "POST",
		headers: { ...json, authorization: `Bearer ${key}` },
		body: JSON.stringify({ model, input: question.content, stream: true, store: false }),
	});
}

type Event = Record<string, unknown> & { type?: string };

function readDialect(dialect: Dialect, raw: unknown[]): { text: string; ends: number; error: unknown } {
	const events = raw.filter((e): e is Event => typeof e === "object" && e !== null);
	if (dialect === "openai") {
		const chunks = events as { choices?: { delta?: { content?: string } }[]; error?: unknown }[];
		return {
			text: chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join(""),
			ends: raw.filter((e) => e === "[DONE]").length,
			error: chunks.find((c) => c.error)?.error,
		};
	}
	if (dialect === "anthropic") {
		const deltas = events.filter((e) => e.type === "content_block_delta") as { delta: { text?: string } }[];
		return {
			text: deltas.map((e) => e.delta.text ?? "").join(""),
			ends: events.filter((e) => e.type === "message_stop").length,
			error: events.find((e) => e.type === "error"),
		};
	}
	if (dialect === "gemini") {
		const responses = events as { candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[]; error?: unknown }[];
		return {
			text: responses.map((r) => (r.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? "").join("")).join(""),
			ends: responses.filter((r) => r.candidates?.[0]?.finishReason).length,
			error: responses.find((r) => r.error)?.error,
		};
	}
	const deltas = events.filter((e) => e.type === "response.output_text.delta") as { delta: string }[];
	return {
		text: deltas.map((e) => e.delta).join(""),
		ends: events.filter((e) => e.type === "response.completed").length,
		error: events.find((e) => e.type === "error" || e.type === "response.failed"),
	};
}

/** A model served first by a channel that breaks as `first` says, then by one that continues as `second` says. */
async function channels(first: string, second = "story") {
	const a = uid();
	const b = uid();
	const s = await scenario([
		{ base_url: upstream(a, first), priority: 2 },
		{ base_url: upstream(b, second), priority: 1 },
	]);
	return { ...s, first: a, second: b };
}

describe("a stream that survives a dying channel", () => {
	for (const dialect of ["openai", "anthropic", "gemini", "responses"] as const) {
		it(`${dialect}: a connection dropped after 10 words is continued on the other channel, as one answer`, async () => {
			const { model, key, channels: ids, second } = await channels("story-cut-10");
			const got = await ask(dialect, model, key);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
			// The continuation was asked with the delivered text as the assistant's, and an instruction (an OpenAI channel).
			const [asked] = await upstreamLog(second);
			const messages = asked?.body.messages as { role: string; content: string }[];
			expect(messages.at(-2)).toEqual({ role: "assistant", content: STORY.slice(0, 10).join("") });
			expect(messages.at(-1)?.role).toBe("user");
			// An OpenAI channel is asked for its usage chunk, as the first attempt was: the record need not be estimated.
			expect(asked?.body.stream_options).toMatchObject({ include_usage: true });
			// Each attempt has its record, linked by the request id; the request's own is the attempt that ended it.
			const main = await usageRow(got.requestId);
			expect(main).toMatchObject({ status: 200, channel_id: ids[1]?.id, completion_tokens: 30, partial: 0 });
			const broken = await usageRow(`${got.requestId}.1`);
			expect(broken).toMatchObject({ status: 502, error_code: "stream_continued", channel_id: ids[0]?.id, partial: 1 });
			expect(Number(broken.completion_tokens)).toBeGreaterThan(0);
		});
	}

	it("continues on the next model of an alias's chain when the model's only channel breaks", async () => {
		const tag = uid();
		const [first, second] = [`first-${tag}`, `second-${tag}`];
		const broken = await createChannel({ base_url: upstream(`${tag}-a`, "story-cut-10"), models: [first] });
		const next = await createChannel({ base_url: upstream(`${tag}-b`, "story"), models: [second] });
		const alias = `smart-${tag}`;
		expect((await admin("PUT", `/api/models/${alias}`, { chain: [first, second] })).status).toBe(200);
		const { key } = await createKey();
		const got = await ask("openai", alias, key);
		expect(got.error).toBeUndefined();
		expect(got.text).toBe(WHOLE);
		expect(got.ends).toBe(1);
		expect(await usageRow(got.requestId)).toMatchObject({ status: 200, model: second, channel_id: next.id });
		expect(await usageRow(`${got.requestId}.1`)).toMatchObject({ status: 502, error_code: "stream_continued", channel_id: broken.id });
	});

	it("tells the breakers of the broken channel's failure, for the model", async () => {
		const { model, key, channels: ids } = await channels("story-cut-10");
		expect((await ask("openai", model, key)).text).toBe(WHOLE);
		const failures = async () => {
			const health = await (await admin("GET", `/api/channels/${ids[0]?.id}/health`)).json<{ models: { model: string; consecutive_failures: number }[] }>();
			return health.models.find((m) => m.model === model)?.consecutive_failures;
		};
		await expect.poll(failures).toBe(1);
	});

	it("continues after an error event mid-stream, and the error never reaches the client", async () => {
		const { model, key } = await channels("story-error-20");
		for (const dialect of ["openai", "anthropic"] as const) {
			const got = await ask(dialect, model, key);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
		}
	});

	it("continues a stream that went silent for longer than STREAM_IDLE_TIMEOUT_MS", async () => {
		const { model, key, first } = await channels("story-stall-5");
		const got = await ask("gemini", model, key);
		expect(got.error).toBeUndefined();
		expect(got.text).toBe(WHOLE);
		expect(got.ends).toBe(1);
		// The silent upstream was let go.
		await expect.poll(async () => (await upstreamLog(first))[0]?.aborted).toBe(true);
	});

	it("waits for a stream silent before any text (a model thinking unseen) instead of continuing it", async () => {
		const { model, key, second } = await channels("story-stall-0");
		const res = await send("openai", model, key, {});
		const reader = res.body?.getReader();
		expect((await reader?.read())?.done).toBe(false);
		// Well past STREAM_IDLE_TIMEOUT_MS (1 s in the tests): the other channel has still not been asked.
		await new Promise((r) => setTimeout(r, 2_500));
		expect(await upstreamLog(second)).toHaveLength(0);
		await reader?.cancel();
	});

	it("drops a continuation's leading repeat of the delivered text at the seam", async () => {
		const { model, key } = await channels("story-cut-12", "story-repeat");
		for (const dialect of ["openai", "responses"] as const) {
			const got = await ask(dialect, model, key);
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
		}
	});

	it("continues at most STREAM_MAX_CONTINUATIONS times", async () => {
		const tags = [uid(), uid(), uid(), uid()];
		const twice = await scenario([
			{ base_url: upstream(tags[0] ?? "", "story-cut-5"), priority: 3 },
			{ base_url: upstream(tags[1] ?? "", "story-cut-5"), priority: 2 },
			{ base_url: upstream(tags[2] ?? "", "story"), priority: 1 },
		]);
		const ok = await ask("openai", twice.model, twice.key);
		expect(ok.text).toBe(WHOLE);
		expect(await usageRow(`${ok.requestId}.2`)).toMatchObject({ channel_id: twice.channels[1]?.id, error_code: "stream_continued" });
		const thrice = await scenario([
			{ base_url: upstream(uid(), "story-cut-5"), priority: 4 },
			{ base_url: upstream(uid(), "story-cut-5"), priority: 3 },
			{ base_url: upstream(uid(), "story-cut-5"), priority: 2 },
			{ base_url: upstream(tags[3] ?? "", "story"), priority: 1 },
		]);
		const cut = await ask("openai", thrice.model, thrice.key);
		expect(cut.error).toMatchObject({ message: expect.stringMatching(/incomplete/) });
		expect(cut.text).toBe(STORY.slice(0, 15).join(""));
		expect(await upstreamLog(tags[3] ?? "")).toHaveLength(0);
	});

	it("does not continue a stream with a tool call in flight: it ends with the error event as before", async () => {
		const { model, key, second } = await channels("story-tool-cut");
		const got = await ask("openai", model, key);
		expect(got.error).toMatchObject({ message: expect.stringMatching(/incomplete/) });
		expect(got.ends).toBe(0);
		expect(await upstreamLog(second)).toHaveLength(0);
	});

	it("is turned off for a key by its stream_continuation setting, which PATCH changes", async () => {
		const { model, second } = await channels("story-cut-10");
		const { id, key } = await createKey({ stream_continuation: false });
		const off = await ask("openai", model, key);
		expect(off.error).toBeDefined();
		expect(off.text).toBe(STORY.slice(0, 10).join(""));
		expect(await upstreamLog(second)).toHaveLength(0);
		const patched = await admin("PATCH", `/api/tokens/${id}`, { stream_continuation: true });
		expect(await patched.json()).toMatchObject({ stream_continuation: true });
		// The key is cached for a moment by the isolate that read it: a fresh key shows the default instead.
		const { key: fresh } = await createKey();
		expect((await ask("openai", model, fresh)).text).toBe(WHOLE);
	});

	it("is turned off for a request by x-gateway-continue: off", async () => {
		const { model, key, second } = await channels("story-cut-10");
		const got = await ask("anthropic", model, key, { "x-gateway-continue": "off" });
		expect(got.error).toBeDefined();
		expect(got.text).toBe(STORY.slice(0, 10).join(""));
		expect(await upstreamLog(second)).toHaveLength(0);
		expect(await usageRow(got.requestId)).toMatchObject({ status: 502, error_code: "upstream_stream_failed" });
	});

	describe("a stream passed through in its own wire", () => {
		/** A channel of a type, for a model, whose mock upstream plays `story` scenarios in that type's wire. */
		const channel = (type: "openai" | "anthropic" | "gemini", tag: string, story: string, model: string, priority: number) =>
			createChannel({
				type,
				base_url: type === "gemini" ? `${inject("upstreamUrl")}/${tag}/${story}/v1beta` : upstream(tag, story),
				models: [model],
				priority,
			});

		it("anthropic on anthropic: continued with a prefill, text into the same open block, one message_stop", async () => {
			const model = `model-${uid()}`;
			const [a, b] = [uid(), uid()];
			await channel("anthropic", a, "story-cut-10", model, 2);
			await channel("anthropic", b, "story", model, 1);
			const { key } = await createKey();
			const res = await send("anthropic", model, key, {});
			const { events } = await readSse(res);
			const got = readDialect("anthropic", events);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
			const typed = events as { type: string; index?: number; message?: { id: string } }[];
			expect(typed.filter((e) => e.type === "message_start")).toHaveLength(1);
			expect(new Set(typed.filter((e) => e.type === "content_block_delta").map((e) => e.index))).toEqual(new Set([0]));
			expect(typed.filter((e) => e.type === "content_block_stop")).toHaveLength(1);
			// Anthropic continues the assistant's own message: the delivered text is its prefill, nothing follows it.
			const messages = (await upstreamLog(b))[0]?.body.messages as { role: string; content: unknown }[];
			expect(messages.at(-1)?.role).toBe("assistant");
			expect(JSON.stringify(messages.at(-1)?.content)).toContain(STORY.slice(0, 10).join(""));
		});

		it("anthropic on anthropic, broken twice: the second continuation still writes into the one text block", async () => {
			const model = `model-${uid()}`;
			await channel("anthropic", uid(), "story-cut-10", model, 3);
			await channel("anthropic", uid(), "story-cut-5", model, 2);
			await channel("anthropic", uid(), "story", model, 1);
			const { key } = await createKey();
			const { events } = await readSse(await send("anthropic", model, key, {}));
			const got = readDialect("anthropic", events);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
			const typed = events as { type: string; index?: number }[];
			expect(typed.filter((e) => e.type === "content_block_start")).toHaveLength(1);
			expect(new Set(typed.filter((e) => e.type === "content_block_delta").map((e) => e.index))).toEqual(new Set([0]));
		});

		it("anthropic on anthropic, continued on an OpenAI channel after an error event: the chunks resume Anthropic's stream", async () => {
			const model = `model-${uid()}`;
			await channel("anthropic", uid(), "story-error-15", model, 2);
			await channel("openai", uid(), "story", model, 1);
			const { key } = await createKey();
			const { events } = await readSse(await send("anthropic", model, key, {}));
			const got = readDialect("anthropic", events);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
			expect((events as { type: string }[]).filter((e) => e.type === "message_start")).toHaveLength(1);
		});

		it("gemini on gemini: continued under the same response id, one finish", async () => {
			const model = `model-${uid()}`;
			await channel("gemini", uid(), "story-cut-10", model, 2);
			await channel("gemini", uid(), "story-repeat", model, 1);
			const { key } = await createKey();
			const { events } = await readSse(await send("gemini", model, key, {}));
			const got = readDialect("gemini", events);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
			expect(new Set((events as { responseId?: string }[]).map((e) => e.responseId))).toEqual(new Set(["resp_up"]));
		});

		it("openai on openai, continued on an Anthropic channel with a prefill", async () => {
			const model = `model-${uid()}`;
			await channel("openai", uid(), "story-cut-25", model, 2);
			await channel("anthropic", uid(), "story", model, 1);
			const { key } = await createKey();
			const got = await ask("openai", model, key);
			expect(got.error).toBeUndefined();
			expect(got.text).toBe(WHOLE);
			expect(got.ends).toBe(1);
		});
	});
});
