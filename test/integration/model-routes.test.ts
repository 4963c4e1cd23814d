// Model aliases and routing policies through the admin API: what is stored, what is refused, who may change it,
// and that /v1/models lists an alias to the keys that can reach it.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { routeList, routeView } from "../../src/routes/model-schemas";
import { admin, call, createChannel, createKey, uid, upstream } from "../support/gateway";

type RouteView = z.infer<typeof routeView>;

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; param: string | null } }>()).error;

describe("model routes API", () => {
	it("stores an alias with its chain, lists it, and deletes it", async () => {
		const alias = `smart-${uid()}`;
		const put = await admin("PUT", `/api/models/${alias}`, { chain: ["model-a", "model-b"], policy: "round_robin" });
		expect(put.status).toBe(200);
		const view = await put.json<RouteView>();
		expect(view).toMatchObject({ name: alias, alias: true, chain: ["model-a", "model-b"], policy: "round_robin", hash_on: null });

		const list = await (await admin("GET", "/api/models")).json<z.infer<typeof routeList>>();
		expect(list.data.find((r) => r.name === alias)).toMatchObject({ chain: ["model-a", "model-b"] });

		const changed = await (await admin("PUT", `/api/models/${alias}`, { chain: ["model-b"], policy: "consistent_hash" })).json<RouteView>();
		expect(changed).toMatchObject({ chain: ["model-b"], policy: "consistent_hash", hash_on: "user" });

		expect((await admin("DELETE", `/api/models/${alias}`)).status).toBe(204);
		const again = await admin("DELETE", `/api/models/${alias}`);
		expect(again.status).toBe(404);
		expect((await errorOf(again)).code).toBe("not_found");
	});

	it("takes a policy alone for a plain model: no chain, or the model itself", async () => {
		const model = `plain-${uid()}`;
		const bare = await (await admin("PUT", `/api/models/${model}`, { policy: "least_errors" })).json<RouteView>();
		expect(bare).toMatchObject({ alias: false, chain: [], policy: "least_errors" });
		const itself = await (await admin("PUT", `/api/models/${model}`, { chain: [model], policy: "lowest_latency" })).json<RouteView>();
		expect(itself).toMatchObject({ alias: false, chain: [], policy: "lowest_latency" });
	});

	it("answers 400 naming the field for a chain that names itself, repeats, or nests, and for a misplaced hash_on", async () => {
		const alias = `smart-${uid()}`;
		const cases: [unknown, string][] = [
			[{ chain: [alias, "model-b"] }, "chain"],
			[{ chain: ["model-a", "model-a"] }, "chain"],
			[{ chain: ["model-a"], policy: "fastest" }, "policy"],
			[{ chain: ["model-a"], policy: "weighted", hash_on: "user" }, "hash_on"],
			[{ chain: ["model-a"], policy: "consistent_hash", hash_on: "ip" }, "hash_on"],
		];
		for (const [body, param] of cases) {
			const res = await admin("PUT", `/api/models/${alias}`, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(await errorOf(res)).toMatchObject({ code: "invalid_request", param });
		}
		const inner = `inner-${uid()}`;
		expect((await admin("PUT", `/api/models/${inner}`, { chain: ["model-a"] })).status).toBe(200);
		const nested = await admin("PUT", `/api/models/${alias}`, { chain: [inner, "model-b"] });
		expect(nested.status).toBe(400);
		expect((await errorOf(nested)).param).toBe("chain");
		expect((await admin("PUT", `/api/models/${alias}`, { chain: ["model-b"] })).status).toBe(200);
		const member = `member-${uid()}`;
		expect((await admin("PUT", `/api/models/${alias}`, { chain: [member] })).status).toBe(200);
		// A model in an alias's chain cannot become an alias in turn; a policy of its own is fine.
		expect((await admin("PUT", `/api/models/${member}`, { chain: ["model-c"] })).status).toBe(400);
		expect((await admin("PUT", `/api/models/${member}`, { policy: "round_robin" })).status).toBe(200);
	});

	it("is the operator's alone", async () => {
		const { key } = await createKey();
		const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
		expect((await call("/api/models", { headers })).status).toBe(403);
		const put = await call(`/api/models/x-${uid()}`, { method: "PUT", headers, body: JSON.stringify({ chain: ["a"] }) });
		expect(put.status).toBe(403);
	});

	it("lists an alias in /v1/models when one of its models is reachable, unless the key's own list leaves it out", async () => {
		const model = `model-${uid()}`;
		await createChannel({ base_url: upstream("routes-list", "ok"), models: [model] });
		const alias = `smart-${uid()}`;
		const stranded = `stranded-${uid()}`;
		await admin("PUT", `/api/models/${alias}`, { chain: [`gone-${uid()}`, model] });
		await admin("PUT", `/api/models/${stranded}`, { chain: [`gone-${uid()}`] });
		const ids = async (key: string) =>
			(await (await call("/v1/models", { headers: { authorization: `Bearer ${key}` } })).json<{ data: { id: string }[] }>()).data.map((m) => m.id);
		const all = await ids((await createKey()).key);
		expect(all).toContain(alias);
		expect(all).toContain(model);
		expect(all).not.toContain(stranded);
		expect(await ids((await createKey({ models: [model] })).key)).not.toContain(alias);
	});
});
