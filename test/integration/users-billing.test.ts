import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { ledgerEntryView, ledgerPage, reconcileReport } from "../../src/routes/billing-schemas";
import type { redemptionCreated, redemptionPage } from "../../src/routes/redemption-schemas";
import type { userList, userView } from "../../src/routes/user-schemas";
import { NO_LIMITS_VIEW } from "../support/constants";
import { admin, call, createKey, uid } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

type UserView = z.infer<typeof userView>;
type LedgerEntry = z.infer<typeof ledgerEntryView>;
type LedgerPage = z.infer<typeof ledgerPage>;
type Report = z.infer<typeof reconcileReport>;

function asKey(key: string, method: string, path: string, body?: unknown): Promise<Response> {
	return call(path, {
		method,
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
}

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; param: string | null; message: string } }>()).error;

async function newUser(group?: string): Promise<UserView> {
	const res = await admin("POST", "/api/users", { name: `u-${uid()}`, ...(group ? { group } : {}) });
	if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${await res.text()}`);
	return res.json();
}

/** A user with a key of their own. */
async function customer(): Promise<{ user: UserView; key: string; tokenId: number }> {
	const user = await newUser();
	const { key, id } = await createKey({ user_id: user.id });
	return { user, key, tokenId: id };
}

async function topup(userId: number, amountUsd: number, extra: Record<string, unknown> = {}): Promise<LedgerEntry> {
	const res = await admin("POST", "/api/billing/topup", { user_id: userId, amount_usd: amountUsd, ...extra });
	if (res.status !== 201) throw new Error(`topup failed: ${res.status} ${await res.text()}`);
	return res.json();
}

async function balance(userId: number): Promise<number> {
	return (await (await admin("GET", `/api/billing/balance?user_id=${userId}`)).json<{ balance_usd: number }>()).balance_usd;
}

async function makeCodes(body: Record<string, unknown>): Promise<z.infer<typeof redemptionCreated>> {
	const res = await admin("POST", "/api/redemptions", body);
	if (res.status !== 201) throw new Error(`codes failed: ${res.status} ${await res.text()}`);
	return res.json();
}

/** Usage charged the way the relay's records are: through the queue consumer, which writes the ledger debit. */
async function chargeUsage(userId: number, tokenId: number, costs: number[]): Promise<void> {
	const records = costs.map((cost) => usageRecord({ token_id: tokenId, user_id: userId, cost_nusd: cost, price_id: 1 }));
	const result = await deliver("edge-gateway-usage", [{ id: uid(), body: { records } }]);
	expect(result.explicitAcks).toHaveLength(1);
}

describe("users API", () => {
	it("creates, lists, reads and updates users", async () => {
		const name = `alice-${uid()}`;
		const created = await admin("POST", "/api/users", { name });
		expect(created.status).toBe(201);
		const user = await created.json<UserView>();
		expect(user).toEqual({
			id: expect.any(Number),
			name,
			role: "user",
			group: "default",
			status: "active",
			balance_usd: 0,
			email: null,
			has_password: false,
			memory_model: null,
			scopes: null,
			created_at: expect.any(String),
			...NO_LIMITS_VIEW,
		});
		expect((await newUser("vip")).group).toBe("vip");

		const { data } = await (await admin("GET", "/api/users")).json<z.infer<typeof userList>>();
		expect(data.find((u) => u.id === user.id)).toEqual(user);
		expect(data.find((u) => u.id === 1)).toMatchObject({ name: "admin", role: "admin" });
		expect(await (await admin("GET", `/api/users/${user.id}`)).json()).toEqual(user);

		const patched = await admin("PATCH", `/api/users/${user.id}`, { group: "vip" });
		expect(await patched.json()).toEqual({ ...user, group: "vip" });
	});

	it("refuses a disabled user's keys at once, and takes them back when re-enabled", async () => {
		const { user, key } = await customer();
		expect((await asKey(key, "GET", "/api/users/me")).status).toBe(200);
		expect(await (await admin("PATCH", `/api/users/${user.id}`, { status: "disabled" })).json()).toMatchObject({ status: "disabled" });
		expect((await asKey(key, "GET", "/api/users/me")).status).toBe(401);
		await admin("PATCH", `/api/users/${user.id}`, { status: "active" });
		expect((await asKey(key, "GET", "/api/users/me")).status).toBe(200);
	});

	it("answers 400, 404 and 409 as it should", async () => {
		expect((await admin("POST", "/api/users", {})).status).toBe(400);
		const blank = await admin("POST", "/api/users", { name: "  " });
		expect((await errorOf(blank)).param).toBe("name");
		const user = await newUser();
		const dup = await admin("POST", "/api/users", { name: user.name });
		expect(dup.status).toBe(409);
		expect((await errorOf(dup)).code).toBe("conflict");
		expect((await admin("PATCH", `/api/users/${user.id}`, { status: "gone" })).status).toBe(400);
		expect((await admin("GET", "/api/users/987654")).status).toBe(404);
		expect((await admin("PATCH", "/api/users/987654", { group: "x" })).status).toBe(404);
		expect((await admin("GET", "/api/users/abc")).status).toBe(400);
		expect((await admin("GET", "/api/users/me")).status).toBe(400);
	});

	it("shows a user key its own user and nothing else", async () => {
		const { user, key } = await customer();
		const other = await newUser();
		expect(await (await asKey(key, "GET", "/api/users/me")).json()).toEqual(user);
		expect((await asKey(key, "GET", "/api/users")).status).toBe(403);
		expect((await asKey(key, "GET", `/api/users/${user.id}`)).status).toBe(403);
		expect((await asKey(key, "GET", `/api/users/${other.id}`)).status).toBe(403);
		expect((await asKey(key, "POST", "/api/users", { name: `x-${uid()}` })).status).toBe(403);
		expect((await asKey(key, "PATCH", `/api/users/${user.id}`, { group: "vip" })).status).toBe(403);
	});
});

describe("top-ups, adjustments and balances", () => {
	it("credits a user through the ledger and shows the balance before and after", async () => {
		const { user, key } = await customer();
		const first = await topup(user.id, 5, { note: "welcome" });
		expect(first).toEqual({
			id: expect.any(Number),
			user_id: user.id,
			token_id: null,
			kind: "topup",
			amount_usd: 5,
			balance_before_usd: 0,
			balance_after_usd: 5,
			request_id: null,
			note: "welcome",
			created_at: expect.any(String),
		});
		const second = await topup(user.id, 0.000000001);
		expect(second).toMatchObject({ balance_before_usd: 5, balance_after_usd: 5.000000001 });
		expect(await balance(user.id)).toBe(5.000000001);
		expect(await (await asKey(key, "GET", "/api/billing/balance")).json()).toEqual({ user_id: user.id, balance_usd: 5.000000001 });
		expect((await (await admin("GET", `/api/users/${user.id}`)).json<UserView>()).balance_usd).toBe(5.000000001);
	});

	it("applies a top-up once however often it is retried with its idempotency key", async () => {
		const user = await newUser();
		const key = `invoice-${uid()}`;
		const first = await admin("POST", "/api/billing/topup", { user_id: user.id, amount_usd: 7, idempotency_key: key });
		expect(first.status).toBe(201);
		expect(first.headers.get("idempotent-replayed")).toBeNull();
		const entry = await first.json<LedgerEntry>();
		const retries = await Promise.all([1, 2, 3].map(() => admin("POST", "/api/billing/topup", { user_id: user.id, amount_usd: 7, idempotency_key: key })));
		for (const res of retries) {
			expect(res.status).toBe(201);
			expect(res.headers.get("idempotent-replayed")).toBe("true");
			expect(await res.json()).toEqual(entry);
		}
		expect(await balance(user.id)).toBe(7);
		const reused = await admin("POST", "/api/billing/topup", { user_id: user.id, amount_usd: 8, idempotency_key: key });
		expect(reused.status).toBe(409);
		expect(await balance(user.id)).toBe(7);
		// The same key for another user is a different request: the operator reused a key by mistake.
		expect((await admin("POST", "/api/billing/topup", { user_id: (await newUser()).id, amount_usd: 7, idempotency_key: key })).status).toBe(409);
	});

	it("adjusts a balance by a signed amount with a note", async () => {
		const user = await newUser();
		await topup(user.id, 10);
		const res = await admin("POST", "/api/billing/adjust", { user_id: user.id, amount_usd: -2.5, note: "refund of a duplicate top-up" });
		expect(res.status).toBe(201);
		expect(await res.json()).toMatchObject({ kind: "adjustment", amount_usd: -2.5, balance_before_usd: 10, balance_after_usd: 7.5 });
		expect(await balance(user.id)).toBe(7.5);
		expect((await admin("POST", "/api/billing/adjust", { user_id: user.id, amount_usd: 1 })).status).toBe(400);
		expect((await admin("POST", "/api/billing/adjust", { user_id: user.id, amount_usd: 0, note: "x" })).status).toBe(400);
	});

	it("validates amounts and users", async () => {
		const user = await newUser();
		for (const amount of [0, -1, "5", 2_000_000, 1e-12]) {
			const res = await admin("POST", "/api/billing/topup", { user_id: user.id, amount_usd: amount });
			expect(res.status).toBe(400);
			expect((await errorOf(res)).param).toBe("amount_usd");
		}
		expect((await admin("POST", "/api/billing/topup", { amount_usd: 1 })).status).toBe(400);
		const unknown = await admin("POST", "/api/billing/topup", { user_id: 987654, amount_usd: 1 });
		expect(unknown.status).toBe(404);
		expect((await errorOf(unknown)).param).toBe("user_id");
		expect((await admin("GET", "/api/billing/balance")).status).toBe(400);
		expect((await admin("GET", "/api/billing/balance?user_id=987654")).status).toBe(404);
		expect(await balance(user.id)).toBe(0);
	});

	it("never lets a user key move money or read another user's balance", async () => {
		const { user, key } = await customer();
		const other = await newUser();
		const denied = await asKey(key, "POST", "/api/billing/topup", { user_id: user.id, amount_usd: 100 });
		expect(denied.status).toBe(403);
		expect((await errorOf(denied)).code).toBe("forbidden");
		expect((await asKey(key, "POST", "/api/billing/adjust", { user_id: user.id, amount_usd: 100, note: "x" })).status).toBe(403);
		expect((await asKey(key, "GET", `/api/billing/balance?user_id=${other.id}`)).status).toBe(403);
		expect((await asKey(key, "GET", `/api/billing/balance?user_id=${user.id}`)).status).toBe(200);
		expect(await balance(user.id)).toBe(0);
	});
});

describe("ledger API", () => {
	it("pages a user's entries newest first with an opaque cursor, and filters by kind", async () => {
		const user = await newUser();
		const amounts = [1, 2, 3, 4, 5];
		for (const amount of amounts) await topup(user.id, amount);
		await admin("POST", "/api/billing/adjust", { user_id: user.id, amount_usd: -1, note: "fix" });

		const seen: LedgerEntry[] = [];
		let cursor: string | null = null;
		do {
			const query: string = `/api/billing/ledger?user_id=${user.id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
			const page: LedgerPage = await (await admin("GET", query)).json<LedgerPage>();
			expect(page.data.length).toBeLessThanOrEqual(2);
			seen.push(...page.data);
			cursor = page.next_cursor;
		} while (cursor);
		expect(seen.map((e) => e.amount_usd)).toEqual([-1, 5, 4, 3, 2, 1]);
		expect(seen.at(0)?.balance_after_usd).toBe(14);

		const topups = await (await admin("GET", `/api/billing/ledger?user_id=${user.id}&kind=topup`)).json<LedgerPage>();
		expect(topups.data.map((e) => e.kind)).toEqual(Array(5).fill("topup"));
		expect(topups.next_cursor).toBeNull();
	});

	it("shows a user key only its own user's entries", async () => {
		const a = await customer();
		const b = await customer();
		await topup(a.user.id, 1);
		await topup(b.user.id, 2);
		await chargeUsage(a.user.id, a.tokenId, [1_000]);
		const own = await (await asKey(a.key, "GET", "/api/billing/ledger")).json<LedgerPage>();
		expect(own.data.map((e) => [e.user_id, e.kind])).toEqual([
			[a.user.id, "usage"],
			[a.user.id, "topup"],
		]);
		expect(own.data[0]).toMatchObject({ token_id: a.tokenId, amount_usd: -0.000001, request_id: expect.stringMatching(/^r-/) });
		const byToken = await (await asKey(a.key, "GET", `/api/billing/ledger?token_id=${b.tokenId}`)).json<LedgerPage>();
		expect(byToken.data).toEqual([]);
		expect((await asKey(a.key, "GET", `/api/billing/ledger?user_id=${b.user.id}`)).status).toBe(403);
		expect((await asKey(a.key, "GET", `/api/billing/ledger?user_id=${a.user.id}`)).status).toBe(200);
	});

	it("rejects bad filters and cursors", async () => {
		expect((await admin("GET", "/api/billing/ledger?kind=gift")).status).toBe(400);
		expect((await admin("GET", "/api/billing/ledger?limit=0")).status).toBe(400);
		expect((await admin("GET", "/api/billing/ledger?limit=501")).status).toBe(400);
		const bad = await admin("GET", "/api/billing/ledger?cursor=not-a-cursor");
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).param).toBe("cursor");
	});
});

describe("redemption codes", () => {
	it("shows codes once, stores only their hashes, and lists prefixes and state", async () => {
		const batch = `promo-${uid()}`;
		const made = await makeCodes({ count: 3, value_usd: 2.5, batch, expires_at: "2099-01-01T00:00:00Z" });
		expect(made).toMatchObject({ batch, value_usd: 2.5, expires_at: "2099-01-01T00:00:00.000Z" });
		expect(new Set(made.codes).size).toBe(3);
		for (const code of made.codes) expect(code).toMatch(/^RC(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);

		const stored = await env.DB.prepare("SELECT * FROM redemption_codes WHERE batch = ?").bind(batch).all();
		const text = JSON.stringify(stored.results);
		for (const code of made.codes) expect(text).not.toContain(code.slice(3));
		expect(stored.results.every((r) => /^[0-9a-f]{64}$/.test(String(r.code_hash)))).toBe(true);

		const listed = await admin("GET", `/api/redemptions?batch=${batch}`);
		const body = await listed.text();
		for (const code of made.codes) expect(body).not.toContain(code.slice(3));
		const page = JSON.parse(body) as z.infer<typeof redemptionPage>;
		expect(page.data).toHaveLength(3);
		expect(page.data.map((r) => r.code_prefix).sort()).toEqual(made.codes.map((c) => `${c.slice(0, 8)}…`).sort());
		expect(page.data[0]).toMatchObject({ batch, value_usd: 2.5, state: "available", redeemed_by: null, redeemed_at: null });
	});

	it("credits the redeeming user once; a used code is a 409, an unknown one a 404", async () => {
		const { user, key, tokenId } = await customer();
		const made = await makeCodes({ count: 2, value_usd: 3 });
		const [code = "", second = ""] = made.codes;
		const res = await asKey(key, "POST", "/api/redemptions/redeem", { code });
		expect(res.status).toBe(201);
		expect(await res.json()).toMatchObject({
			kind: "redemption",
			user_id: user.id,
			token_id: tokenId,
			amount_usd: 3,
			balance_before_usd: 0,
			balance_after_usd: 3,
		});
		expect(await balance(user.id)).toBe(3);

		const again = await asKey(key, "POST", "/api/redemptions/redeem", { code });
		expect(again.status).toBe(409);
		expect((await errorOf(again)).message).toMatch(/already been redeemed/);
		expect((await asKey(key, "POST", "/api/redemptions/redeem", { code: "RC-00000-00000-00000-00000" })).status).toBe(404);
		// Typed loosely (lower case, no dashes, O for 0) the code is still the code.
		const loose = second.toLowerCase().replaceAll("-", "").replaceAll("0", "o");
		expect((await asKey(key, "POST", "/api/redemptions/redeem", { code: loose })).status).toBe(201);
		expect(await balance(user.id)).toBe(6);

		const { data } = await (await admin("GET", `/api/redemptions?batch=${made.batch}`)).json<z.infer<typeof redemptionPage>>();
		expect(data.map((r) => [r.state, r.redeemed_by])).toEqual([
			["redeemed", user.id],
			["redeemed", user.id],
		]);
	});

	it("credits once when the same code is redeemed concurrently", async () => {
		const a = await customer();
		const b = await customer();
		const [code = ""] = (await makeCodes({ count: 1, value_usd: 10 })).codes;
		const results = await Promise.all(
			[a, b, a, b, a, b].map((who) => asKey(who.key, "POST", "/api/redemptions/redeem", { code }).then(async (r) => ({ who, status: r.status }))),
		);
		const winners = results.filter((r) => r.status === 201);
		expect(winners).toHaveLength(1);
		expect(results.filter((r) => r.status === 409)).toHaveLength(5);
		const winner = winners[0]?.who === a ? a : b;
		const loser = winner === a ? b : a;
		expect(await balance(winner.user.id)).toBe(10);
		expect(await balance(loser.user.id)).toBe(0);
		const credits = await env.DB.prepare("SELECT count(*) AS n FROM ledger_entries WHERE kind = 'redemption' AND user_id IN (?, ?)")
			.bind(a.user.id, b.user.id)
			.first<{ n: number }>();
		expect(credits?.n).toBe(1);
	});

	it("refuses an expired code", async () => {
		const { user, key } = await customer();
		const made = await makeCodes({ count: 1, value_usd: 1, expires_at: new Date(Date.now() + 60_000).toISOString() });
		await env.DB.prepare("UPDATE redemption_codes SET expires_at = ? WHERE batch = ?")
			.bind(Date.now() - 1, made.batch)
			.run();
		const res = await asKey(key, "POST", "/api/redemptions/redeem", { code: made.codes[0] });
		expect(res.status).toBe(409);
		expect((await errorOf(res)).message).toMatch(/expired/);
		expect(await balance(user.id)).toBe(0);
		const { data } = await (await admin("GET", `/api/redemptions?batch=${made.batch}`)).json<z.infer<typeof redemptionPage>>();
		expect(data[0]?.state).toBe("expired");
	});

	it("lets the operator redeem for a named user", async () => {
		const user = await newUser();
		const [code = ""] = (await makeCodes({ count: 1, value_usd: 4 })).codes;
		expect((await admin("POST", "/api/redemptions/redeem", { code })).status).toBe(400);
		expect((await admin("POST", "/api/redemptions/redeem", { code, user_id: 987654 })).status).toBe(404);
		const res = await admin("POST", "/api/redemptions/redeem", { code, user_id: user.id });
		expect(res.status).toBe(201);
		expect(await res.json()).toMatchObject({ user_id: user.id, token_id: null, amount_usd: 4 });
	});

	it("validates input", async () => {
		for (const body of [
			{ count: 0, value_usd: 1 },
			{ count: 1001, value_usd: 1 },
			{ count: 1, value_usd: 0 },
			{ count: 1, value_usd: 1, expires_at: "2001-01-01T00:00:00Z" },
			{ count: 1, value_usd: 1, batch: "has space" },
		]) {
			expect((await admin("POST", "/api/redemptions", body)).status).toBe(400);
		}
		expect((await admin("POST", "/api/redemptions/redeem", { code: "" })).status).toBe(400);
		expect((await admin("GET", "/api/redemptions?cursor=xyz")).status).toBe(400);
	});

	it("makes a thousand codes in one request", async () => {
		const made = await makeCodes({ count: 1000, value_usd: 0.01 });
		expect(new Set(made.codes).size).toBe(1000);
		const page = await (await admin("GET", `/api/redemptions?batch=${made.batch}&limit=1000`)).json<z.infer<typeof redemptionPage>>();
		expect(page.data).toHaveLength(1000);
		expect(page.next_cursor).toBeNull();
	});

	it("never lets a user key make or list codes, or redeem for someone else", async () => {
		const { key } = await customer();
		const other = await newUser();
		expect((await asKey(key, "POST", "/api/redemptions", { count: 1, value_usd: 100 })).status).toBe(403);
		expect((await asKey(key, "GET", "/api/redemptions")).status).toBe(403);
		const [code = ""] = (await makeCodes({ count: 1, value_usd: 1 })).codes;
		expect((await asKey(key, "POST", "/api/redemptions/redeem", { code, user_id: other.id })).status).toBe(403);
		expect(await balance(other.id)).toBe(0);
	});
});

describe("reconciliation", () => {
	it("finds no drift after top-ups, usage and redemptions, and finds a balance or spend changed behind the ledger's back", async () => {
		const { user, key, tokenId } = await customer();
		await topup(user.id, 20);
		await chargeUsage(user.id, tokenId, [1_234_567, 89]);
		const [code = ""] = (await makeCodes({ count: 1, value_usd: 1.5 })).codes;
		expect((await asKey(key, "POST", "/api/redemptions/redeem", { code })).status).toBe(201);

		const clean = await (await admin("GET", "/api/billing/reconcile")).json<Report>();
		expect(clean).toMatchObject({ drift_usd: 0, problems: [], uncharged_requests: 0 });
		expect(clean.users_checked).toBeGreaterThan(1);
		expect(clean.tokens_checked).toBeGreaterThan(0);
		expect(clean.usage_cost_usd).toBe(clean.ledger_usage_usd);
		expect(clean.usage_cost_usd).toBeGreaterThanOrEqual(0.001234656);

		// Nothing but the ledger's trigger should write these columns; simulate a stray write.
		await env.DB.prepare("UPDATE users SET balance_nusd = balance_nusd + 1000 WHERE id = ?").bind(user.id).run();
		await env.DB.prepare("UPDATE tokens SET spent_nusd = spent_nusd - 500 WHERE id = ?").bind(tokenId).run();
		try {
			const dirty = await (await admin("GET", "/api/billing/reconcile")).json<Report>();
			expect(dirty.drift_usd).toBe(0.0000015);
			expect(dirty.problems).toEqual([
				{ kind: "user_balance", id: user.id, expected_usd: 20 - 0.001234656 + 1.5, actual_usd: 20 - 0.001234656 + 1.5 + 0.000001, drift_usd: 0.000001 },
				{ kind: "token_spent", id: tokenId, expected_usd: 0.001234656, actual_usd: 0.001234156, drift_usd: 0.0000005 },
			]);
		} finally {
			await env.DB.prepare("UPDATE users SET balance_nusd = balance_nusd - 1000 WHERE id = ?").bind(user.id).run();
			await env.DB.prepare("UPDATE tokens SET spent_nusd = spent_nusd + 500 WHERE id = ?").bind(tokenId).run();
		}
		expect((await (await admin("GET", "/api/billing/reconcile")).json<Report>()).drift_usd).toBe(0);
	});

	it("finds usage that was logged with a cost but never charged", async () => {
		const requestId = `stray-${uid()}`;
		await env.DB.prepare(
			"INSERT INTO usage_logs (request_id, user_id, endpoint, model, cost_nusd, latency_ms, status, created_at) VALUES (?, 1, '/v1/chat/completions', 'm', 777, 1, 200, ?)",
		)
			.bind(requestId, Date.now())
			.run();
		try {
			const report = await (await admin("GET", "/api/billing/reconcile")).json<Report>();
			expect(report).toMatchObject({ uncharged_requests: 1, uncharged_cost_usd: 0.000000777, drift_usd: 0.000000777 });
			expect(report.problems).toEqual([{ kind: "uncharged_usage", id: null, expected_usd: 0, actual_usd: 0.000000777, drift_usd: 0.000000777 }]);
		} finally {
			await env.DB.prepare("DELETE FROM usage_logs WHERE request_id = ?").bind(requestId).run();
		}
	});

	it("is the operator's alone", async () => {
		const { key } = await customer();
		expect((await asKey(key, "GET", "/api/billing/reconcile")).status).toBe(403);
	});
});
