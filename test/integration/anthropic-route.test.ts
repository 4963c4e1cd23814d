import { beforeAll, describe, expect, it } from "vitest";
import samplesJson from "../fixtures/tokens/o200k.json?raw";
import { call, createChannel, createKey, readSse, uid, usageRow } from "../support/gateway";

function messages(headers: Record<string, string>, body: unknown, path = "/v1/messages"): Promise<Response> {
	return call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

const model = `ant-mock-${uid()}`;
const hello = { model, max_tokens: 64, messages: [{ role: "user", content: "Hello" }] };

beforeAll(async () => {
	await createChannel({ type: "mock", models: [model] });
});

describe("POST /v1/messages", () => {
	it("answers an Anthropic message from the built-in mock channel, key as x-api-key or Bearer", async () => {
		const { key } = await createKey();
		const auths: Record<string, string>[] = [{ "x-api-key": key }, { authorization: `Bearer ${key}` }];
		for (const auth of auths) {
			const res = await messages({ ...auth, "anthropic-version": "2023-06-01" }, hello);
			expect(res.status).toBe(200);
			const body = (await res.json()) as { type: string; role: string; content: { type: string; text: string }[]; stop_reason: string; usage: object };
			expect(body).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn" });
			expect(body.content[0]?.text.length).toBeGreaterThan(0);
			expect(body.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
		}
	});

	it("streams Anthropic events in order and records usage", async () => {
		const { key } = await createKey();
		const res = await messages({ "x-api-key": key }, { ...hello, stream: true });
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const { raw } = await readSse(res);
		const names = [...raw.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
		expect(names[0]).toBe("message_start");
		expect(names.slice(1, 3)).toEqual(["content_block_start", "content_block_delta"]);
		expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ endpoint: "/v1/messages", status: 200, stream: 1, partial: 0 });
	});

	it("answers errors in Anthropic's format", async () => {
		const { key } = await createKey();
		const cases: [Record<string, string>, unknown, number, string][] = [
			[{}, hello, 401, "authentication_error"],
			[{ "x-api-key": "sk-nope" }, hello, 401, "authentication_error"],
			[{ "x-api-key": key }, { ...hello, max_tokens: undefined }, 400, "invalid_request_error"],
			[{ "x-api-key": key }, { ...hello, messages: [] }, 400, "invalid_request_error"],
			[{ "x-api-key": key, "anthropic-version": "latest" }, hello, 400, "invalid_request_error"],
			[{ "x-api-key": key }, { ...hello, tools: [{ type: "web_search_20250305", name: "web_search" }] }, 400, "invalid_request_error"],
			[{ "x-api-key": key }, { ...hello, model: "no-such-model" }, 503, "overloaded_error"],
		];
		for (const [headers, body, status, type] of cases) {
			const res = await messages(headers, body);
			expect(res.status, JSON.stringify(body)).toBe(status);
			const json = (await res.json()) as { type: string; error: { type: string; message: string } };
			expect(json.type).toBe("error");
			expect(json.error.type).toBe(type);
			expect(json.error.message.length).toBeGreaterThan(0);
		}
	});

	it("estimates input tokens at /v1/messages/count_tokens without calling a channel, in any script", async () => {
		const { key } = await createKey();
		// Texts with their o200k counts: the estimate may not fall short of them, nor pass them by half, framing included.
		const samples = JSON.parse(samplesJson) as { name: string; text: string; o200k: number }[];
		for (const { name, text, o200k } of samples) {
			const res = await messages(
				{ "x-api-key": key },
				{ model, system: "Be brief.", messages: [{ role: "user", content: text }] },
				"/v1/messages/count_tokens",
			);
			expect(res.status).toBe(200);
			const { input_tokens } = (await res.json()) as { input_tokens: number };
			expect(input_tokens, name).toBeGreaterThanOrEqual(o200k);
			expect(input_tokens, name).toBeLessThanOrEqual(1.5 * (o200k + 10));
		}
	});
});
