// A channel's models that have no price: the channel test names them, setting a price clears them, and a channel's
// own price admits its model there even without a general price.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import worker from "../../src";
import type { channelTestResult } from "../../src/routes/channel-schemas";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { admin, createChannel, createKey, uid } from "../support/gateway";

type TestResult = z.infer<typeof channelTestResult>;

/** The integration tests run with ALLOW_UNPRICED_MODELS on; this is production's setting. */
const strict = { ...env, ALLOW_UNPRICED_MODELS: "false" as const };

async function testOf(channelId: number, workerEnv: Env = env): Promise<TestResult> {
	const res = await worker.fetch(
		new Request(`http://gateway.test/api/channels/${channelId}/test`, { method: "POST", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }),
		workerEnv,
		createExecutionContext(),
	);
	expect(res.status).toBe(200);
	return res.json();
}

async function setPrice(model: string, channelId?: number): Promise<void> {
	const res = await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 2, ...(channelId ? { channel_id: channelId } : {}) });
	expect(res.status).toBe(200);
}

async function chatAs(key: string, model: string, workerEnv: Env): Promise<Response> {
	const body = JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });
	const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
	return worker.fetch(new Request("http://gateway.test/v1/chat/completions", { method: "POST", headers, body }), workerEnv, createExecutionContext());
}

describe("the channel test names the channel's unpriced models", () => {
	it("reports the unpriced one of a priced and an unpriced model, and nothing once it has a price", async () => {
		const [priced, unpriced] = [`priced-${uid()}`, `unpriced-${uid()}`];
		await setPrice(priced);
		const { id } = await createChannel({ type: "mock", models: [priced, unpriced] });

		const before = await testOf(id, strict);
		expect(before).toMatchObject({ ok: true, model: priced, unpriced_models: [unpriced], unpriced_policy: "refused" });

		await setPrice(unpriced);
		expect(await testOf(id, strict)).toMatchObject({ ok: true, unpriced_models: [], unpriced_policy: "refused" });
	});

	it("says the unpriced models are served free where the operator allows it", async () => {
		const unpriced = `unpriced-${uid()}`;
		const { id } = await createChannel({ type: "mock", models: [unpriced] });
		expect(await testOf(id)).toMatchObject({ unpriced_models: [unpriced], unpriced_policy: "free" });
	});

	it("counts a channel's own price: the model is priced there, served there, and not on a channel without it", async () => {
		const model = `override-${uid()}`;
		const own = await createChannel({ type: "mock", models: [model], priority: 1 });
		const other = await createChannel({ type: "mock", models: [model], priority: 5 });
		const { key } = await createKey();
		expect((await chatAs(key, model, strict)).status).toBe(403);

		await setPrice(model, own.id);
		expect((await testOf(own.id, strict)).unpriced_models).toEqual([]);
		expect((await testOf(other.id, strict)).unpriced_models).toEqual([model]);
		const served = await chatAs(key, model, strict);
		expect(served.status).toBe(200);
		// The higher-priority channel has no price for the model: it is passed over, never served free.
		expect(served.headers.get("x-gateway-channel")).toBe(String(own.id));
	});
});
