import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { config } from "../../src/env";
import { GatewayError } from "../../src/errors/gateway-error";
import { authenticate } from "../../src/relay/callers";
import { admin, call, createKey } from "../support/gateway";

const refusal = (work: Promise<unknown>) =>
	work.then(
		() => "accepted",
		(err: unknown) => (err instanceof GatewayError ? `${err.code}: ${err.message}` : String(err)),
	);

describe("revocation bound", () => {
	const bound = config(env).keyCacheSeconds * 1000;

	it("is KEY_CACHE_SECONDS: an isolate that did not make the change refuses the key once what it read is that old", async () => {
		expect(bound).toBe(5_000);
		const { id, key } = await createKey();
		const t0 = Date.now();
		await authenticate(env, key, t0);
		// Revoked as another isolate would do it: in D1, without this isolate's cache hearing of it.
		await env.DB.prepare("UPDATE tokens SET status = 'disabled' WHERE id = ?").bind(id).run();
		expect(await refusal(authenticate(env, key, t0 + bound - 1))).toBe("accepted");
		expect(await refusal(authenticate(env, key, t0 + bound))).toBe("invalid_api_key: This API key is disabled");
	});

	it("is nothing in the isolate that made the change: a key disabled, locked or deleted through the API is refused at once", async () => {
		for (const change of ["disable", "delete"] as const) {
			const { id, key } = await createKey();
			const models = () => call("/v1/models", { headers: { authorization: `Bearer ${key}` } });
			expect((await models()).status).toBe(200);
			const res = change === "disable" ? await admin("PATCH", `/api/tokens/${id}`, { status: "disabled" }) : await admin("DELETE", `/api/tokens/${id}`);
			expect(res.ok).toBe(true);
			expect((await models()).status).toBe(401);
		}
	});
});
