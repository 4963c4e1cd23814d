// Base URLs as users paste them: with or without the version segment, with or without a trailing slash. The loopback
// upstream answers at its root as the providers' own hosts do (/v1/messages, /v1beta/models/…, /v1/chat/completions).
import { describe, expect, inject, it } from "vitest";
import { admin, call, chat, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

const root = () => inject("upstreamUrl");
const hello = [{ role: "user", content: "hi" }];

/** What the loopback upstream received at its root for one model. */
async function rootCalls(model: string) {
	return (await upstreamLog("root")).filter((r) => r.body.model === model || r.path.includes(`/models/${model}:`));
}

interface TestResult {
	ok: boolean;
	url: string | null;
	status: number | null;
	error: string | null;
	body: string | null;
}

const testOf = async (id: number): Promise<TestResult> => (await admin("POST", `/api/channels/${id}/test`)).json();

describe("a channel's base URL", () => {
	it.each(["", "/", "/v1", "/v1/"])("an anthropic channel at the host + %j is served at /v1/messages", async (suffix) => {
		const model = `claude-${uid()}`;
		await createChannel({ type: "anthropic", base_url: `${root()}${suffix}`, key: "sk-ant-api03-0000000001", models: [model] });
		const { key } = await createKey();
		const res = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ model, max_tokens: 32, messages: hello }),
		});
		expect(res.status).toBe(200);
		expect((await res.json()) as object).toMatchObject({ type: "message", content: [{ type: "text", text: "Hello! How can I help you today?" }] });
		expect((await rootCalls(model)).map((r) => r.path)).toEqual(["/v1/messages"]);
	});

	it.each(["", "/v1beta/"])("a gemini channel at the host + %j is served at /v1beta/models/…", async (suffix) => {
		const model = `gemini-${uid()}`;
		await createChannel({ type: "gemini", base_url: `${root()}${suffix}`, key: "gm-key-0000000001", models: [model] });
		const { key } = await createKey();
		const res = await chat(key, { model, messages: hello });
		expect(res.status).toBe(200);
		expect((await rootCalls(model)).map((r) => r.path)).toEqual([`/v1beta/models/${model}:generateContent`]);
	});

	it.each(["", "/", "/v1/"])("an openai channel at the host + %j is served at /v1/chat/completions", async (suffix) => {
		const model = `gpt-${uid()}`;
		await createChannel({ type: "openai", base_url: `${root()}${suffix}`, key: "sk-openai-0000000001", models: [model] });
		const { key } = await createKey();
		const res = await chat(key, { model, messages: hello });
		expect(res.status).toBe(200);
		expect((await rootCalls(model)).map((r) => r.path)).toEqual(["/v1/chat/completions"]);
	});
});

describe("POST /api/channels/:id/test", () => {
	it("shows the exact URL called and the upstream's answer", async () => {
		const model = `claude-${uid()}`;
		const { id } = await createChannel({ type: "anthropic", base_url: root(), key: "sk-ant-api03-0000000002", models: [model] });
		const result = await testOf(id);
		expect(result).toMatchObject({ ok: true, url: `${root()}/v1/messages`, status: 200, error: null });
		expect(result.body).toContain("Hello! How can I help you today?");
	});

	it("shows a failing upstream's status and answer, without the keys in it", async () => {
		const tag = uid();
		const { id } = await createChannel({ base_url: upstream(tag, "status-401"), key: "sk-openai-0000000003", models: ["m"] });
		const result = await testOf(id);
		expect(result).toMatchObject({ ok: false, url: `${upstream(tag, "status-401")}/chat/completions`, status: 401 });
		expect(result.body).toContain("Incorrect API key provided");
		expect(JSON.stringify(result)).not.toContain("sk-live");
	});

	it("fails a 200 that is not JSON, as the relay would", async () => {
		const { id } = await createChannel({ base_url: upstream(uid(), "badjson"), key: "sk-openai-0000000004", models: ["m"] });
		const result = await testOf(id);
		expect(result).toMatchObject({ ok: false, status: 200, error: expect.stringContaining("not with JSON") });
	});

	it("has no URL to show for the built-in mock", async () => {
		const { id } = await createChannel({ type: "mock", models: [`mock-${uid()}`] });
		expect(await testOf(id)).toMatchObject({ ok: true, url: null, status: 200 });
	});
});
