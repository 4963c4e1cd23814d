import { describe, expect, it } from "vitest";
import { call, chat, createChannel, createKey, readSse, scenario, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

const hello = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra });

describe("relay: non-streaming", () => {
	it("rewrites the model by model_mapping, sends the channel key, and records usage", async () => {
		const tag = uid();
		const { model, key, channels } = await scenario([{ base_url: upstream(tag, "ok"), key: "sk-upstream-key-abc" }]);
		const res = await chat(key, hello(model), { "x-client-request-id": `req-${tag}` });
		expect(res.status).toBe(200);
		// The gateway's own id, and the client's echoed beside it.
		const requestId = res.headers.get("x-request-id") ?? "";
		expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
		expect(res.headers.get("x-client-request-id")).toBe(`req-${tag}`);
		expect(res.headers.get("x-gateway-channel")).toBe(String(channels[0]?.id));
		expect(res.headers.get("x-gateway-attempts")).toBe("1");
		const [sent] = await upstreamLog(tag);
		expect(sent?.authorization).toBe("Bearer sk-upstream-key-abc");
		const row = await usageRow(requestId);
		expect(row).toMatchObject({
			client_request_id: `req-${tag}`,
			model,
			status: 200,
			prompt_tokens: 11,
			completion_tokens: 7,
			cached_tokens: 3,
			estimated: 0,
			partial: 0,
			stream: 0,
			attempts: 1,
		});
	});

	it("sends the mapped upstream model name", async () => {
		const tag = uid();
		const model = `alias-${uid()}`;
		await createChannel({ base_url: upstream(tag, "ok"), models: [model], model_mapping: { [model]: "real-upstream-model" } });
		const { key } = await createKey();
		const res = await chat(key, hello(model));
		expect(res.status).toBe(200);
		const [sent] = await upstreamLog(tag);
		expect(sent?.body.model).toBe("real-upstream-model");
		expect((await usageRow(res.headers.get("x-request-id") ?? "")).upstream_model).toBe("real-upstream-model");
	});

	it("estimates usage when the upstream reports none, and says so", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "no-usage") }]);
		const res = await chat(key, hello(model));
		expect(res.status).toBe(200);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row.estimated).toBe(1);
		expect(Number(row.completion_tokens)).toBeGreaterThan(0);
	});
});

describe("relay: failover", () => {
	for (const failing of ["status-500", "status-502", "status-503", "status-429", "status-401", "hang", "reset"]) {
		it(`moves on from a channel that fails with ${failing} before the first byte`, async () => {
			const bad = uid();
			const good = uid();
			const { model, key, channels } = await scenario([
				{ base_url: upstream(bad, failing), priority: 10 },
				{ base_url: upstream(good, "ok"), priority: 0 },
			]);
			const res = await chat(key, hello(model));
			expect(res.status).toBe(200);
			expect(res.headers.get("x-gateway-attempts")).toBe("2");
			expect(res.headers.get("x-gateway-channel")).toBe(String(channels[1]?.id));
			expect(await upstreamLog(good)).toHaveLength(1);
			const row = await usageRow(res.headers.get("x-request-id") ?? "");
			expect(row).toMatchObject({ status: 200, attempts: 2, channel_id: channels[1]?.id });
		});
	}

	it("returns a request error (400) as is, without trying another channel", async () => {
		const bad = uid();
		const other = uid();
		const { model, key } = await scenario([
			{ base_url: upstream(bad, "status-400"), priority: 10 },
			{ base_url: upstream(other, "ok"), priority: 0 },
		]);
		const res = await chat(key, hello(model));
		expect(res.status).toBe(400);
		const body = await res.json<{ error: { message: string; type: string } }>();
		expect(body.error.type).toBe("invalid_request_error");
		expect(body.error.message).not.toContain("sk-live");
		expect(await upstreamLog(other)).toHaveLength(0);
	});

	it("keeps a 429 a 429, with Retry-After, when every channel is rate limited", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "status-429") }, { base_url: upstream(uid(), "status-429") }]);
		const res = await chat(key, hello(model));
		expect(res.status).toBe(429);
		expect(res.headers.get("retry-after")).toBe("7");
		const body = await res.json<{ error: { message: string; code: string } }>();
		// OpenAI's own code for a 429, which clients test for.
		expect(body.error.code).toBe("rate_limit_exceeded");
		expect(res.headers.get("retry-after-ms")).toBe("7000");
		expect(body.error.message).toContain(res.headers.get("x-request-id") ?? "missing");
		expect(body.error.message).not.toContain("sk-live");
	});

	it.each([
		["status-500", 502, "upstream_error"],
		["status-503", 503, "upstream_unavailable"],
		["reset", 502, "upstream_error"],
		["hang", 504, "upstream_timeout"],
	])("maps an upstream that always fails with %s to %i", async (failing, status, code) => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), failing) }]);
		const res = await chat(key, hello(model));
		expect(res.status).toBe(status);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe(code);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ status, error_code: code, attempts: 1 });
	});

	it("bounds the number of attempts", async () => {
		const tags = [uid(), uid(), uid(), uid()];
		const { model, key } = await scenario(tags.map((t) => ({ base_url: upstream(t, "status-500") })));
		const res = await chat(key, hello(model));
		expect(res.status).toBe(502);
		const reached = (await Promise.all(tags.map(upstreamLog))).filter((log) => log.length > 0);
		expect(reached).toHaveLength(3);
	});
});

describe("relay: streaming", () => {
	it("passes the stream through, asks the upstream for usage, and hides the usage chunk the client did not ask for", async () => {
		const tag = uid();
		const { model, key } = await scenario([{ base_url: upstream(tag, "ok") }]);
		const res = await chat(key, hello(model, { stream: true }));
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		expect(res.headers.get("content-encoding")).toBeNull();
		const { events } = await readSse(res);
		const text = events
			.flatMap((e) => (e === "[DONE]" ? [] : (e as { choices: { delta: { content?: string } }[] }).choices.map((c) => c.delta.content ?? "")))
			.join("");
		expect(text).toBe("Hi there, from the upstream.");
		expect(events.at(-1)).toBe("[DONE]");
		expect(events.some((e) => typeof e === "object" && (e as { choices: unknown[] }).choices.length === 0)).toBe(false);
		const [sent] = await upstreamLog(tag);
		expect(sent?.body.stream_options).toEqual({ include_usage: true });
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ stream: 1, status: 200, prompt_tokens: 11, completion_tokens: 7, estimated: 0, partial: 0 });
		expect(Number(row.ttfb_ms)).toBeGreaterThanOrEqual(0);
	});

	it("forwards the usage chunk when the client asked for it", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "ok") }]);
		const res = await chat(key, hello(model, { stream: true, stream_options: { include_usage: true } }));
		const { events } = await readSse(res);
		const last = events.at(-2) as { usage: { prompt_tokens: number } };
		expect(last.usage.prompt_tokens).toBe(11);
	});

	it("forwards each chunk as it arrives rather than at the end", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "slow") }]);
		const started = Date.now();
		const res = await chat(key, hello(model, { stream: true }));
		const reader = res.body?.getReader();
		const first = await reader?.read();
		const firstAt = Date.now() - started;
		expect(new TextDecoder().decode(first?.value)).toContain('"role":"assistant"');
		let rest = 0;
		for (;;) {
			const r = await reader?.read();
			if (!r || r.done) break;
			rest++;
		}
		const total = Date.now() - started;
		// The upstream pauses 150 ms before each of 7 words: the first chunk must not wait for them.
		expect(total - firstAt).toBeGreaterThan(700);
		expect(rest).toBeGreaterThan(3);
	});

	it("ends with an error event the SDK surfaces when the upstream dies mid-stream and the client turned continuation off, and bills only what was delivered", async () => {
		const tag = uid();
		const other = uid();
		const { model, key } = await scenario([
			{ base_url: upstream(tag, "cut"), priority: 1 },
			{ base_url: upstream(other, "ok"), priority: 0 },
		]);
		// Without the header the stream would be continued on the other channel (stream-continuation.test.ts).
		const res = await chat(key, hello(model, { stream: true }), { "x-gateway-continue": "off" });
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const last = events.at(-1) as { error?: { message: string } };
		expect(last.error?.message).toMatch(/incomplete/);
		expect(await upstreamLog(other)).toHaveLength(0);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ partial: 1, estimated: 1, status: 502, error_code: "upstream_stream_failed" });
		expect(Number(row.completion_tokens)).toBeGreaterThan(0);
	});

	it("cancels the upstream request when the client disconnects", async () => {
		const tag = uid();
		const { model, key } = await scenario([{ base_url: upstream(tag, "slow") }]);
		const res = await chat(key, hello(model, { stream: true }));
		const reader = res.body?.getReader();
		await reader?.read();
		await reader?.cancel();
		const until = Date.now() + 5_000;
		let aborted = false;
		while (!aborted && Date.now() < until) {
			aborted = (await upstreamLog(tag))[0]?.aborted ?? false;
			if (!aborted) await new Promise((r) => setTimeout(r, 100));
		}
		expect(aborted).toBe(true);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ partial: 1, status: 499, error_code: "client_closed" });
	});
});

describe("relay: embeddings", () => {
	it("relays embeddings and records prompt tokens", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "ok") }]);
		const res = await call("/v1/embeddings", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ model, input: ["a", "b"] }),
		});
		expect(res.status).toBe(200);
		expect((await res.json<{ data: unknown[] }>()).data).toHaveLength(1);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ endpoint: "/v1/embeddings", prompt_tokens: 4 });
	});
});
