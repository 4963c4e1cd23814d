import { describe, expect, inject, it } from "vitest";
import { admin, call, chat, createChannel, createKey, readSse, uid, upstreamLog } from "../support/gateway";

const hello = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra });

describe("azure-openai channels", () => {
	it("call the deployment named by the model mapping, with api-version and the api-key header", async () => {
		const tag = uid();
		const model = `az-${tag}`;
		await createChannel({
			type: "azure-openai",
			base_url: `${inject("upstreamUrl")}/${tag}/fixture/openai/text`,
			key: "azure-key-0000000001",
			models: [model],
			model_mapping: { [model]: "my-gpt4o-deployment" },
		});
		const { key } = await createKey();
		const res = await chat(key, hello(model));
		expect(res.status).toBe(200);
		expect((await res.json()) as object).toMatchObject({ choices: [{ message: { content: "Hello! How can I help you today?" } }] });
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toMatch(/\/openai\/deployments\/my-gpt4o-deployment\/chat\/completions$/);
		expect(sent?.search).toBe("?api-version=2024-10-21");
		expect(sent?.headers["api-key"]).toBe("azure-key-0000000001");
		expect(sent?.authorization).toBeNull();
	});

	it("must be given a base URL", async () => {
		const res = await admin("POST", "/api/channels", { name: `az-${uid()}`, type: "azure-openai", key: "k", models: ["x"] });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { error: { param: string } }).error.param).toBe("base_url");
	});
});

describe("OpenAI-compatible presets", () => {
	it("are channel types with their vendor's base URL, listed by GET /api/channels/types", async () => {
		const res = await admin("GET", "/api/channels/types");
		expect(res.status).toBe(200);
		const { data } = (await res.json()) as { data: { type: string; wire: string; operations: string[]; default_base_url: string | null }[] };
		const byType = Object.fromEntries(data.map((t) => [t.type, t]));
		expect(byType.deepseek).toEqual({ type: "deepseek", wire: "openai", operations: ["chat", "embeddings"], default_base_url: "https://api.deepseek.com/v1" });
		expect(byType.anthropic).toMatchObject({ wire: "anthropic", operations: ["chat"] });
		for (const t of ["qwen", "zhipu", "moonshot", "mistral", "groq", "openrouter", "ollama", "vllm", "azure-openai", "workers-ai", "gemini"]) {
			expect(byType[t], t).toBeDefined();
		}
	});

	it("relay like any OpenAI channel, to the base URL given", async () => {
		const tag = uid();
		const model = `ds-${tag}`;
		await createChannel({ type: "deepseek", base_url: `${inject("upstreamUrl")}/${tag}/fixture/openai/reasoning`, key: "sk-ds-000000001", models: [model] });
		const { key } = await createKey();
		const res = await chat(key, hello(model, { stream: true }));
		const { raw } = await readSse(res);
		expect(raw).toContain('"reasoning_content":"Let me"');
		expect((await upstreamLog(tag))[0]?.authorization).toBe("Bearer sk-ds-000000001");
	});
});

describe("channels by operation", () => {
	it("anthropic channels are not candidates for embeddings", async () => {
		const model = `emb-${uid()}`;
		await createChannel({ type: "anthropic", models: [model], key: "sk-ant-0000000001" });
		const { key } = await createKey();
		const res = await call("/v1/embeddings", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ model, input: "hello" }),
		});
		expect(res.status).toBe(503);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("model_not_available");
	});
});

describe("workers-ai channels", () => {
	it("answer a clear error where the AI binding is not available", async () => {
		const model = `wai-${uid()}`;
		await createChannel({ type: "workers-ai", models: [model] });
		const { key } = await createKey();
		const res = await chat(key, hello(model));
		expect(res.status).toBe(503);
		const body = (await res.json()) as { error: { message: string } };
		expect(body.error.message).toContain("AI binding");
	});
});

describe("an upstream answering in another format than its type says", () => {
	it("gives the client a 502 in its own dialect, not a crash", async () => {
		const tag = uid();
		const model = `wrong-${tag}`;
		// An anthropic channel pointed at an OpenAI server: its answer has no `content`.
		await createChannel({ type: "anthropic", base_url: `${inject("upstreamUrl")}/${tag}/fixture/openai/text`, key: "sk-ant-000000001", models: [model] });
		const { key } = await createKey();
		const res = await chat(key, hello(model));
		expect(res.status).toBe(502);
		const body = (await res.json()) as { error: { code: string; message: string } };
		expect(body.error.code).toBe("upstream_error");
		expect(body.error.message).toContain("could not be read");
	});
});
