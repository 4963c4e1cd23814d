import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, chat, createChannel, createKey, readSse, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

/** A key with the response cache set as given (written straight to its row before its first use). */
async function cachedKey(cache: Record<string, unknown> | null, input: { user_id?: number } = {}): Promise<{ id: number; key: string }> {
	const made = await createKey(input);
	await env.DB.prepare("UPDATE tokens SET cache = ? WHERE id = ?").bind(JSON.stringify(cache), made.id).run();
	return made;
}

/** A model of its own, priced, served by one loopback channel whose requests are logged under the returned tag. */
async function cachedModel(scenarioName = "ok"): Promise<{ model: string; tag: string }> {
	const model = `cache-${uid()}`;
	const tag = `cache-${uid()}`;
	await createChannel({ type: "openai", base_url: upstream(tag, scenarioName), models: [model] });
	const priced = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 2, output_usd_per_mtok: 8 });
	expect(priced.status).toBe(200);
	return { model, tag };
}

const question = (model: string, extra: Record<string, unknown> = {}) => ({
	model,
	messages: [{ role: "user", content: "What is the capital of France?" }],
	...extra,
});

type Completion = { id: string; choices: { message: { content: string } }[] };

function streamedText(events: unknown[]): string {
	return events
		.filter((e): e is { choices: { delta: { content?: string } }[] } => typeof e === "object" && e !== null && "choices" in e)
		.map((e) => e.choices[0]?.delta.content ?? "")
		.join("");
}

describe("the exact response cache", () => {
	let model: string;
	let tag: string;
	beforeAll(async () => {
		({ model, tag } = await cachedModel());
	});

	it("answers the same request a second time from the cache, streamed or not, with one upstream call", async () => {
		const { key } = await cachedKey({ mode: "exact", ttl_seconds: 600 });
		const first = await chat(key, question(model));
		expect(first.status).toBe(200);
		expect(first.headers.get("x-gateway-cache")).toBe("miss");
		const firstBody = (await first.json()) as Completion;

		// The answer is stored after the response: the next identical request finds it once the write is done.
		let misses = 1;
		let second: Response | undefined;
		for (let i = 0; i < 50 && !second; i++) {
			const res = await chat(key, question(model));
			if (res.headers.get("x-gateway-cache") === "hit") second = res;
			else {
				misses++;
				await res.text();
				await new Promise((r) => setTimeout(r, 100));
			}
		}
		if (!second) throw new Error("never served from the cache");
		expect(Number(second.headers.get("age"))).toBeGreaterThanOrEqual(0);
		const secondBody = (await second.json()) as Completion;
		expect(secondBody.choices[0]?.message.content).toBe(firstBody.choices[0]?.message.content);
		expect(secondBody.id).not.toBe(firstBody.id);

		const streamed = await chat(key, question(model, { stream: true, stream_options: { include_usage: true } }));
		expect(streamed.headers.get("x-gateway-cache")).toBe("hit");
		expect(streamed.headers.get("content-type")).toContain("text/event-stream");
		const { events } = await readSse(streamed);
		expect(streamedText(events)).toBe(firstBody.choices[0]?.message.content);
		expect(events.at(-1)).toBe("[DONE]");
		expect(events.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });

		// Only misses reached the upstream (one, unless a repeat came before the write landed); no hit did.
		expect(await upstreamLog(tag)).toHaveLength(misses);
		const hitRow = await usageRow(second.headers.get("x-request-id") ?? "");
		expect(hitRow).toMatchObject({ cache_hit: "exact", cost_nusd: 0, channel_id: null, status: 200 });
		expect(Number(hitRow.saved_nusd)).toBeGreaterThan(0);
		const missRow = await usageRow(first.headers.get("x-request-id") ?? "");
		expect(missRow).toMatchObject({ cache_hit: null, saved_nusd: 0 });
		expect(Number(hitRow.saved_nusd)).toBe(Number(missRow.cost_nusd));
	});

	it("keeps a streamed answer and serves it to a later request whole", async () => {
		const { key } = await cachedKey({ mode: "exact" });
		const body = question(model, { messages: [{ role: "user", content: `Streamed first ${uid()}` }] });
		const first = await chat(key, { ...body, stream: true });
		const { events } = await readSse(first);
		const text = streamedText(events);
		let hit: Response | undefined;
		for (let i = 0; i < 50 && !hit; i++) {
			const res = await chat(key, body);
			if (res.headers.get("x-gateway-cache") === "hit") hit = res;
			else await res.text();
		}
		if (!hit) throw new Error("never served from the cache");
		expect(((await hit.json()) as Completion).choices[0]?.message.content).toBe(text);
	});

	it("never serves one user's answer to another user, nor to a key with the cache off", async () => {
		const { key } = await cachedKey({ mode: "exact" });
		const body = question(model, { messages: [{ role: "user", content: `Private ${uid()}` }] });
		await (await chat(key, body)).text();
		await waitForHit(key, body);
		const other = await cachedKey({ mode: "exact" }, { user_id: await newUser() });
		const res = await chat(other.key, body);
		expect(res.headers.get("x-gateway-cache")).toBe("miss");
		const off = await createKey();
		const plain = await chat(off.key, body);
		expect(plain.headers.get("x-gateway-cache")).toBeNull();
	});

	it("keys on what changes the answer: not the field order, `user` or `stream`; yes the temperature and the messages", async () => {
		const { key } = await cachedKey({ mode: "exact" });
		const content = `Normalized ${uid()}`;
		const body = { model, temperature: 0.2, messages: [{ role: "user", content }] };
		await (await chat(key, body)).text();
		await waitForHit(key, body);
		const reordered = { messages: [{ content, role: "user" }], temperature: 0.2, user: "someone", model };
		expect((await chat(key, reordered)).headers.get("x-gateway-cache")).toBe("hit");
		expect((await chat(key, { ...body, temperature: 0.3 })).headers.get("x-gateway-cache")).toBe("miss");
		expect((await chat(key, { ...body, messages: [{ role: "user", content: `${content}!` }] })).headers.get("x-gateway-cache")).toBe("miss");
	});

	it("obeys Cache-Control and x-gateway-cache on the request", async () => {
		const { key } = await cachedKey({ mode: "exact" });
		const body = question(model, { messages: [{ role: "user", content: `Controlled ${uid()}` }] });
		const stored = await chat(key, body, { "cache-control": "no-store" });
		expect(stored.headers.get("x-gateway-cache")).toBeNull();
		await stored.text();
		await (await chat(key, body)).text();
		await waitForHit(key, body);
		expect((await chat(key, body, { "cache-control": "no-cache" })).headers.get("x-gateway-cache")).toBe("bypass");
		expect((await chat(key, body, { "x-gateway-cache": "off" })).headers.get("x-gateway-cache")).toBeNull();
		// A key with the cache off may still ask for it, request by request.
		const plain = await createKey();
		await (await chat(plain.key, body, { "x-gateway-cache": "exact" })).text();
		expect((await waitForHit(plain.key, body, { "x-gateway-cache": "exact" })).headers.get("x-gateway-cache")).toBe("hit");
	});

	it("never keeps a failed or cut-short answer", async () => {
		for (const scenarioName of ["status-500", "story-cut-5"]) {
			const failing = await cachedModel(scenarioName);
			const { key } = await cachedKey({ mode: "exact" });
			const body = question(failing.model, scenarioName.startsWith("story") ? { stream: true } : {});
			for (let i = 0; i < 3; i++) {
				const res = await chat(key, body);
				expect(res.headers.get("x-gateway-cache")).not.toBe("hit");
				await res.text();
			}
		}
	});

	it("serves an Anthropic client in its own dialect from an answer an OpenAI channel gave, streamed or not", async () => {
		const { key } = await cachedKey({ mode: "exact" });
		const body = { model, max_tokens: 64, messages: [{ role: "user", content: `Anthropic ${uid()}` }] };
		const send = (extra: Record<string, unknown> = {}) =>
			call("/v1/messages", { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify({ ...body, ...extra }) });
		const first = (await (await send()).json()) as { content: { text: string }[] };
		let hit: Response | undefined;
		for (let i = 0; i < 50 && !hit; i++) {
			const res = await send();
			if (res.headers.get("x-gateway-cache") === "hit") hit = res;
			else await res.text();
		}
		if (!hit) throw new Error("never served from the cache");
		expect(((await hit.json()) as { content: { text: string }[] }).content[0]?.text).toBe(first.content[0]?.text);
		const streamed = await send({ stream: true });
		expect(streamed.headers.get("x-gateway-cache")).toBe("hit");
		const { raw } = await readSse(streamed);
		const names = [...raw.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
		expect(names[0]).toBe("message_start");
		expect(names.at(-1)).toBe("message_stop");
		const text = [...raw.matchAll(/"text_delta","text":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`)).join("");
		expect(text).toBe(first.content[0]?.text);
	});
});

async function newUser(): Promise<number> {
	const res = await admin("POST", "/api/users", { name: `cache-${uid()}` });
	return ((await res.json()) as { id: number }).id;
}

/** The request repeated until the cache serves it (the answer is stored after the first response). */
async function waitForHit(key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	for (let i = 0; i < 50; i++) {
		const res = await chat(key, body, headers);
		if (res.headers.get("x-gateway-cache") === "hit") return res;
		await res.text();
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error("never served from the cache");
}

describe("the semantic response cache", () => {
	it("serves a reworded question the stored answer with its similarity, and misses a near miss", async () => {
		const model = `sem-${uid()}`;
		await createChannel({ type: "mock", models: [model, "mock-embedding"] });
		const { key } = await cachedKey({ mode: "semantic" });
		const ask = (content: string) => chat(key, { model, temperature: 0, messages: [{ role: "user", content }] });
		const first = await ask("What is the boiling point of water at sea level?");
		expect(first.headers.get("x-gateway-cache")).toBe("miss");
		const answer = ((await first.json()) as Completion).choices[0]?.message.content;
		let hit: Response | undefined;
		for (let i = 0; i < 50 && !hit; i++) {
			const res = await ask("At sea level, what is the boiling point of water?");
			if (res.headers.get("x-gateway-cache") === "semantic-hit") hit = res;
			else {
				await res.text();
				await new Promise((r) => setTimeout(r, 100));
			}
		}
		if (!hit) throw new Error("never a semantic hit");
		expect(Number(hit.headers.get("x-gateway-cache-similarity"))).toBeGreaterThanOrEqual(0.95);
		expect(((await hit.json()) as Completion).choices[0]?.message.content).toBe(answer);
		expect(await usageRow(hit.headers.get("x-request-id") ?? "")).toMatchObject({ cache_hit: "semantic", cost_nusd: 0 });
		// Same words, another number: never the stored answer.
		const near = await ask("What is the boiling point of water at 2000 m above sea level?");
		expect(near.headers.get("x-gateway-cache")).toBe("miss");
		// A request that may vary (no temperature 0) is left to the exact cache.
		const varied = await chat(key, { model, messages: [{ role: "user", content: "At sea level, what is the boiling point of water?" }] });
		expect(varied.headers.get("x-gateway-cache")).toBe("miss");
	});
});
