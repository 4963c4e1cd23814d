import { describe, expect, it } from "vitest";
import { admin, call, chat, createKey, scenario, uid, upstream, usageRow } from "../support/gateway";

interface KeyView {
	id: number;
	tags: string[];
	ip_allow: string[] | null;
	request_count: number;
}

describe("key tags", () => {
	it("are set on create and patch, and filter the list", async () => {
		const tag = `team-${uid()}`;
		const a = await createKey({ tags: [tag, "prod", tag] });
		const b = await createKey({ tags: ["staging"] });
		const one = await admin("GET", `/api/tokens/${a.id}`);
		expect((await one.json<KeyView>()).tags).toEqual([tag, "prod"]);

		const listed = async () => (await (await admin("GET", `/api/tokens?tag=${tag}`)).json<{ data: KeyView[] }>()).data.map((k) => k.id);
		expect(await listed()).toEqual([a.id]);
		const patched = await admin("PATCH", `/api/tokens/${b.id}`, { tags: [tag] });
		expect((await patched.json<KeyView>()).tags).toEqual([tag]);
		expect(await listed()).toEqual([a.id, b.id]);
		expect((await admin("PATCH", `/api/tokens/${a.id}`, { tags: [] })).status).toBe(200);
		expect(await listed()).toEqual([b.id]);
	});

	it("refuses an empty or overlong tag", async () => {
		for (const tags of [[""], ["x".repeat(51)]]) {
			const res = await admin("POST", "/api/tokens", { name: "t", tags });
			expect(res.status).toBe(400);
			expect((await res.json<{ error: { param: string } }>()).error.param).toMatch(/^tags/);
		}
	});
});

describe("request count", () => {
	it("shows the requests a key served in its view", async () => {
		const { model } = await scenario([{ base_url: upstream("count", "ok") }]);
		const { id, key } = await createKey();
		for (let i = 0; i < 2; i++) {
			const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
			expect(res.status).toBe(200);
			await usageRow(res.headers.get("x-request-id") ?? "");
		}
		const view = await (await admin("GET", `/api/tokens/${id}`)).json<KeyView>();
		expect(view.request_count).toBe(2);
	});
});

describe("IP allow-list", () => {
	const from = (ip: string | undefined, key: string, model: string) =>
		chat(key, { model, messages: [{ role: "user", content: "hi" }] }, ip === undefined ? {} : { "cf-connecting-ip": ip });

	it("lets a key be used only from its CIDRs, IPv4 and IPv6, refusing others in the API's format", async () => {
		const { model } = await scenario([{ base_url: upstream("ip-allow", "ok") }]);
		const { key } = await createKey({ ip_allow: ["203.0.113.0/24", "2001:db8::/32"] });
		expect((await from("203.0.113.9", key, model)).status).toBe(200);
		expect((await from("2001:db8:1::5", key, model)).status).toBe(200);
		expect((await from("::ffff:203.0.113.200", key, model)).status).toBe(200);
		for (const ip of ["198.51.100.1", "2001:db9::1", undefined]) {
			const res = await from(ip, key, model);
			expect(res.status, String(ip)).toBe(403);
			const body = await res.json<{ error: { type: string; param: string; message: string } }>();
			expect(body.error).toMatchObject({ type: "permission_error", param: "ip_allow" });
			expect(body.error.message).not.toContain(key);
		}

		const anthropic = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": key, "content-type": "application/json", "cf-connecting-ip": "198.51.100.1" },
			body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
		});
		expect(anthropic.status).toBe(403);
		expect((await anthropic.json<{ error: { type: string } }>()).error.type).toBe("permission_error");

		const api = await call("/api/usage", { headers: { authorization: `Bearer ${key}`, "cf-connecting-ip": "198.51.100.1" } });
		expect(api.status).toBe(403);
		const mem0 = await call("/mem0/v1/ping/", { headers: { authorization: `Token ${key}`, "cf-connecting-ip": "198.51.100.1" } });
		expect(mem0.status).toBe(403);
		expect((await mem0.json<{ code: string }>()).code).toBe("forbidden");
	});

	it("is changed by a patch at once, and null allows anywhere again", async () => {
		const { model } = await scenario([{ base_url: upstream("ip-patch", "ok") }]);
		const { id, key } = await createKey();
		expect((await from("198.51.100.7", key, model)).status).toBe(200);
		const patched = await admin("PATCH", `/api/tokens/${id}`, { ip_allow: ["10.0.0.0/8"] });
		expect((await patched.json<KeyView>()).ip_allow).toEqual(["10.0.0.0/8"]);
		expect((await from("198.51.100.7", key, model)).status).toBe(403);
		expect((await from("10.9.8.7", key, model)).status).toBe(200);
		expect((await admin("PATCH", `/api/tokens/${id}`, { ip_allow: null })).status).toBe(200);
		expect((await from("198.51.100.7", key, model)).status).toBe(200);
	});

	it("refuses what is not a CIDR, and an empty list, naming the field", async () => {
		for (const ip_allow of [["10.0.0.0/33"], ["example.com"], ["2001:db8:::/32"], []]) {
			const res = await admin("POST", "/api/tokens", { name: "ip", ip_allow });
			expect(res.status, JSON.stringify(ip_allow)).toBe(400);
			expect((await res.json<{ error: { param: string } }>()).error.param).toMatch(/^ip_allow/);
		}
	});
});
