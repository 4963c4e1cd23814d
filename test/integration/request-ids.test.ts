// The gateway keys every request by an id of its own: a client's id is a correlation id, kept, echoed and searchable.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { usagePage } from "../../src/routes/usage-schemas";
import { admin, call, chat, createChannel, createKey, uid, upstream, usageRow } from "../support/gateway";

type UsagePage = z.infer<typeof usagePage>;

/** A model on the mock upstream priced $0.00001 a request and nothing per token, whatever the tokens are estimated at. */
async function pricedModel(): Promise<string> {
	const model = `ids-${uid()}`;
	await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
	expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, request_usd: 0.00001 })).status).toBe(200);
	return model;
}

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 5 });

/** Ten requests one after the other, all under one client id. */
async function tenUnderOneId(key: string, model: string, clientId: string): Promise<Response[]> {
	const responses: Response[] = [];
	for (let i = 0; i < 10; i++) {
		const res = await chat(key, ask(model), { "x-request-id": clientId });
		await res.text();
		responses.push(res);
	}
	return responses;
}

async function rowsOf(tokenId: number, expected: number): Promise<{ request_id: string; client_request_id: string | null; status: number }[]> {
	for (let i = 0; ; i++) {
		const { results } = await env.DB.prepare("SELECT request_id, client_request_id, status FROM usage_logs WHERE token_id = ?")
			.bind(tokenId)
			.all<{ request_id: string; client_request_id: string | null; status: number }>();
		if (results.length >= expected || i > 80) return results;
		await new Promise((r) => setTimeout(r, 100));
	}
}

const charges = async (tokenId: number) =>
	(await env.DB.prepare("SELECT count(*) AS n FROM ledger_entries WHERE token_id = ? AND kind = 'usage'").bind(tokenId).first<{ n: number }>())?.n;

describe("a repeated client request id", () => {
	it("is held to the key's rate limit: 3 requests a minute answer 3 of 10, each its own row and charge", async () => {
		const model = await pricedModel();
		const { id, key } = await createKey({ rpm: 3 });
		const clientId = `fixed-${uid()}`;
		const responses = await tenUnderOneId(key, model, clientId);
		expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
		const ids = responses.map((r) => r.headers.get("x-request-id"));
		expect(new Set(ids).size).toBe(10);
		expect(ids).not.toContain(clientId);
		for (const r of responses) expect(r.headers.get("x-client-request-id")).toBe(clientId);

		const rows = await rowsOf(id, 10);
		expect(rows.filter((r) => r.status === 200)).toHaveLength(3);
		expect(rows.filter((r) => r.status === 429)).toHaveLength(7);
		expect(rows.every((r) => r.client_request_id === clientId)).toBe(true);
		expect(await charges(id)).toBe(3);
	});

	it("is held to the key's quota: a quota that pays for one request serves one", async () => {
		const model = await pricedModel();
		const { id, key } = await createKey({ quota_usd: 0.00001 });
		const responses = await tenUnderOneId(key, model, `fixed-${uid()}`);
		expect(responses.map((r) => r.status)).toEqual([200, 402, 402, 402, 402, 402, 402, 402, 402, 402]);
		const rows = await rowsOf(id, 10);
		expect(rows.filter((r) => r.status === 200)).toHaveLength(1);
		expect(await charges(id)).toBe(1);
		const token = await (await admin("GET", `/api/tokens/${id}`)).json<{ spent_usd: number }>();
		expect(token.spent_usd).toBe(0.00001);
	});
});

describe("a repeated client request id on sign-in", () => {
	it("is held to the 5 attempts a minute per email like any other", async () => {
		const email = `ids-${uid()}@example.com`;
		expect((await admin("POST", "/api/users", { name: `u-${uid()}`, email, password: "correct horse" })).status).toBe(201);
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) {
			const res = await call("/api/auth/login", {
				method: "POST",
				headers: { "content-type": "application/json", "x-request-id": "same-attempt", "cf-connecting-ip": `10.1.${i}.1` },
				body: JSON.stringify({ email, password: "wrong horse" }),
			});
			statuses.push(res.status);
		}
		expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
	});
});

describe("the client's correlation id", () => {
	it("is taken from x-client-request-id (before x-request-id), echoed, stored and searchable in /api/usage", async () => {
		const model = await pricedModel();
		const { id, key } = await createKey();
		const clientId = `trace:${uid()}/a=b`;
		const res = await chat(key, ask(model), { "x-client-request-id": clientId, "x-request-id": "ignored-when-both" });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-client-request-id")).toBe(clientId);
		const requestId = res.headers.get("x-request-id") ?? "";
		expect(await usageRow(requestId)).toMatchObject({ client_request_id: clientId, token_id: id });

		const page = await (await admin("GET", `/api/usage?client_request_id=${encodeURIComponent(clientId)}`)).json<UsagePage>();
		expect(page.data.map((r) => [r.request_id, r.client_request_id])).toEqual([[requestId, clientId]]);
		const detail = await (await admin("GET", `/api/usage/${requestId}`)).json<{ client_request_id: string }>();
		expect(detail.client_request_id).toBe(clientId);
		const csv = await (await admin("GET", `/api/usage/export.csv?client_request_id=${encodeURIComponent(clientId)}`)).text();
		expect(csv.split("\n")[0]).toContain("client_request_id");
		expect(csv).toContain(clientId);
	});

	it("is ignored, never refused, when it is too long or not printable ASCII", async () => {
		const model = await pricedModel();
		const { key } = await createKey();
		for (const bad of ["x".repeat(129), "has space", "tab\there"]) {
			const res = await chat(key, ask(model), { "x-client-request-id": bad });
			expect(res.status).toBe(200);
			expect(res.headers.get("x-client-request-id")).toBeNull();
			expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ client_request_id: null });
		}
		expect((await admin("GET", `/api/usage?client_request_id=${"x".repeat(129)}`)).status).toBe(400);
	});
});
