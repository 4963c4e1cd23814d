import { describe, expect, it } from "vitest";
import { admin, call, chat, createChannel, createKey, scenario, uid, upstream } from "../support/gateway";

const hello = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

async function expectOpenAIError(res: Response, status: number, code: string) {
	expect(res.status).toBe(status);
	const body = await res.json<{ error: { message: string; type: string; code: string } }>();
	expect(body.error.code).toBe(code);
	expect(body.error.message.length).toBeGreaterThan(0);
	expect(res.headers.get("x-request-id")).toBeTruthy();
	return body.error;
}

describe("gateway keys", () => {
	it("rejects a missing, unknown or malformed key with 401", async () => {
		await expectOpenAIError(await call("/v1/models"), 401, "invalid_api_key");
		await expectOpenAIError(await chat("sk-not-a-real-key", hello("x")), 401, "invalid_api_key");
		await expectOpenAIError(await call("/v1/models", { headers: { authorization: "Basic abc" } }), 401, "invalid_api_key");
	});

	it("accepts the key as x-api-key too", async () => {
		const { key } = await createKey();
		const res = await call("/v1/models", { headers: { "x-api-key": key } });
		expect(res.status).toBe(200);
	});

	it("rejects a disabled key, and accepts it again once re-enabled", async () => {
		const { id, key } = await createKey();
		await admin("PATCH", `/api/tokens/${id}`, { status: "disabled" });
		const error = await expectOpenAIError(await call("/v1/models", { headers: { authorization: `Bearer ${key}` } }), 401, "invalid_api_key");
		expect(error.message).toMatch(/disabled/);
		await admin("PATCH", `/api/tokens/${id}`, { status: "active" });
		expect((await call("/v1/models", { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
	});

	it("rejects an expired key and a deleted key", async () => {
		const expired = await createKey({ expires_at: "2020-01-01T00:00:00Z" });
		const error = await expectOpenAIError(await chat(expired.key, hello("x")), 401, "invalid_api_key");
		expect(error.message).toMatch(/expired/);
		const deleted = await createKey();
		expect((await admin("DELETE", `/api/tokens/${deleted.id}`)).status).toBe(204);
		await expectOpenAIError(await chat(deleted.key, hello("x")), 401, "invalid_api_key");
	});

	it("refuses a model the key may not use with 403, and lists only allowed models", async () => {
		const allowed = `allowed-${uid()}`;
		const other = `other-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [allowed, other] });
		const { key } = await createKey({ models: [allowed] });
		await expectOpenAIError(await chat(key, hello(other)), 403, "model_not_allowed");
		const list = await (await call("/v1/models", { headers: { authorization: `Bearer ${key}` } })).json<{
			object: string;
			data: { id: string; object: string }[];
		}>();
		expect(list.object).toBe("list");
		expect(list.data.map((m) => m.id)).toEqual([allowed]);
		expect(list.data[0]?.object).toBe("model");
	});

	it("answers 503 naming the model when no channel serves it", async () => {
		const { key } = await createKey();
		const error = await expectOpenAIError(await chat(key, hello("nobody-serves-this")), 503, "model_not_available");
		expect(error.message).toContain("nobody-serves-this");
	});

	it("does not route to disabled channels or channels of other groups", async () => {
		const { model, key } = await scenario([{ base_url: upstream(uid(), "ok"), status: "disabled" }]);
		await expectOpenAIError(await chat(key, hello(model)), 503, "model_not_available");
		const vip = `vip-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [vip], groups: ["vip"] });
		await expectOpenAIError(await chat(key, hello(vip)), 503, "model_not_available");
	});
});

describe("admin token", () => {
	it("guards the admin API", async () => {
		await expectOpenAIError(await call("/api/channels"), 401, "unauthorized");
		await expectOpenAIError(await call("/api/tokens", { headers: { authorization: "Bearer wrong-admin-token-000" } }), 401, "unauthorized");
	});

	it("is not a gateway key", async () => {
		const res = await call("/v1/models", { headers: { authorization: "Bearer test-admin-token-0123456789" } });
		expect(res.status).toBe(401);
	});
});

describe("the operator API and user keys", () => {
	it("refuses a user's gateway key on operator-only routes, with 403", async () => {
		const { key } = await createKey();
		for (const [method, path] of [
			["GET", "/api/channels"],
			["GET", "/api/channels/types"],
			["POST", "/api/channels"],
			["GET", "/api/users"],
			["GET", "/api/groups"],
			["GET", "/api/jobs/dead"],
			["GET", "/api/billing/reconcile"],
			["POST", "/api/billing/topup"],
			["GET", "/api/redemptions"],
		] as const) {
			const res = await call(path, {
				method,
				headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
				body: method === "POST" ? "{}" : null,
			});
			expect(res.status, `${method} ${path}`).toBe(403);
		}
	});
});
