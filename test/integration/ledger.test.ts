// The exactly-once usage ledger: what survives redelivery, a failing batch, dead letters and replay.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UsageRecord } from "../../queues/usage-message";
import worker from "../../src";
import { admin, createKey, uid } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

async function newUser(): Promise<number> {
	const row = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`u-${uid()}`).first<{ id: number }>();
	if (!row) throw new Error("no user");
	return row.id;
}

const record = (userId: number, tokenId: number | null, over: Partial<UsageRecord> = {}): UsageRecord =>
	usageRecord({ user_id: userId, token_id: tokenId, cost_nusd: 3_000, price_id: 1, ...over });

async function state(userId: number, tokenId: number | null, requestIds: string[]) {
	const marks = requestIds.map(() => "?").join(",");
	const rows = await env.DB.prepare(`SELECT count(*) AS n FROM usage_logs WHERE request_id IN (${marks})`)
		.bind(...requestIds)
		.first<{ n: number }>();
	const debits = await env.DB.prepare(`SELECT count(*) AS n, coalesce(sum(amount_nusd), 0) AS total FROM ledger_entries WHERE request_id IN (${marks})`)
		.bind(...requestIds)
		.first<{ n: number; total: number }>();
	const user = await env.DB.prepare("SELECT balance_nusd AS balance FROM users WHERE id = ?").bind(userId).first<{ balance: number }>();
	const token = tokenId === null ? null : await env.DB.prepare("SELECT spent_nusd AS spent FROM tokens WHERE id = ?").bind(tokenId).first<{ spent: number }>();
	return { rows: rows?.n, charges: debits?.n, charged: debits?.total, balance: user?.balance, spent: token?.spent ?? null };
}

describe("the usage ledger", () => {
	it("charges a request once however often its message is delivered", async () => {
		const userId = await newUser();
		const { id: tokenId } = await createKey({ user_id: userId });
		const r = record(userId, tokenId);
		await deliver("edge-gateway-usage", [{ id: "m1", body: { records: [r] } }]);
		const again = await deliver("edge-gateway-usage", [
			{ id: "m1", body: { records: [r] }, attempts: 2 },
			{ id: "m2", body: { records: [r, r] } },
		]);
		expect(again.explicitAcks.sort()).toEqual(["m1", "m2"]);
		expect(await state(userId, tokenId, [r.request_id])).toEqual({ rows: 1, charges: 1, charged: -3_000, balance: -3_000, spent: 3_000 });
		const entry = await env.DB.prepare("SELECT * FROM ledger_entries WHERE request_id = ?").bind(r.request_id).first();
		expect(entry).toMatchObject({ kind: "usage", user_id: userId, token_id: tokenId, balance_before_nusd: 0, balance_after_nusd: -3_000 });
	});

	it("keeps the ledger append-only", async () => {
		const userId = await newUser();
		const r = record(userId, null);
		await deliver("edge-gateway-usage", [{ id: "m", body: { records: [r] } }]);
		await expect(env.DB.prepare("UPDATE ledger_entries SET amount_nusd = 0 WHERE request_id = ?").bind(r.request_id).run()).rejects.toThrow(/append-only/);
		await expect(env.DB.prepare("DELETE FROM ledger_entries WHERE request_id = ?").bind(r.request_id).run()).rejects.toThrow(/append-only/);
	});

	it("retries a whole batch that fails part-way, losing and doubling nothing", async () => {
		const userId = await newUser();
		const good = record(userId, null);
		// A charge for a user that does not exist breaks the batch's transaction part-way (a foreign key).
		const bad = record(987_654, null);
		const failed = await deliver("edge-gateway-usage", [
			{ id: "good", body: { records: [good] } },
			{ id: "bad", body: { records: [bad] } },
		]);
		expect(failed.retryMessages.map((m) => m.msgId).sort()).toEqual(["bad", "good"]);
		expect(await state(userId, null, [good.request_id])).toEqual({ rows: 0, charges: 0, charged: 0, balance: 0, spent: null });
		// The good message comes back alone (the bad one goes on retrying toward the dead-letter queue).
		const retried = await deliver("edge-gateway-usage", [{ id: "good", body: { records: [good] }, attempts: 2 }]);
		expect(retried.explicitAcks).toEqual(["good"]);
		expect(await state(userId, null, [good.request_id])).toEqual({ rows: 1, charges: 1, charged: -3_000, balance: -3_000, spent: null });
	});

	it("files a message that always fails as a dead job, which an admin can replay once fixed", async () => {
		const missingUser = 900_000 + Math.floor(Math.random() * 99_999);
		const r = record(missingUser, null);
		const messageId = `dead-${uid()}`;
		const dlq = await deliver("edge-gateway-usage-dlq", [{ id: messageId, body: { records: [r] }, attempts: 1 }]);
		expect(dlq.ackAll).toBe(true);

		const list = (await (await admin("GET", "/api/jobs/dead?pending=true")).json()) as {
			data: { id: number; message_id: string; queue: string; body: unknown }[];
		};
		const job = list.data.find((j) => j.message_id === messageId);
		expect(job).toMatchObject({ queue: "edge-gateway-usage", body: { records: [r] } });
		if (!job) return;

		const stillFailing = await admin("POST", `/api/jobs/dead/${job.id}/replay`);
		expect(stillFailing.status).toBe(409);
		expect(((await stillFailing.json()) as { error: { message: string } }).error.message).toContain("still fails");

		await env.DB.prepare("INSERT INTO users (id, name) VALUES (?, ?)").bind(missingUser, `late-${uid()}`).run();
		const replayed = await admin("POST", `/api/jobs/dead/${job.id}/replay`);
		expect(replayed.status).toBe(200);
		expect(((await replayed.json()) as { replayed_at: string | null }).replayed_at).not.toBeNull();
		expect(await state(missingUser, null, [r.request_id])).toMatchObject({ rows: 1, charges: 1, balance: -3_000 });
		expect((await admin("POST", `/api/jobs/dead/${job.id}/replay`)).status).toBe(409);
	});

	it("lets only the operator see dead jobs", async () => {
		const { key } = await createKey();
		const res = await worker.fetch(
			new Request("http://gateway.test/api/jobs/dead", { headers: { authorization: `Bearer ${key}` } }),
			env,
			createExecutionContext(),
		);
		expect(res.status).toBe(403);
	});
});
