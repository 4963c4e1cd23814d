import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { pruneAudit } from "../../src/audit/retention";
import { uid } from "../support/gateway";

const DAY = 86_400_000;

/** An entry written straight into the table (inserting is allowed) with an `at` in the past. */
async function entryAged(days: number, action: string): Promise<string> {
	const id = `old-${uid()}`;
	await env.DB.prepare("INSERT INTO audit_log (id, at, actor_type, action, result) VALUES (?1, ?2, 'system', ?3, 'success')")
		.bind(id, Date.now() - days * DAY, action)
		.run();
	return id;
}

async function present(ids: string[]): Promise<string[]> {
	const { results } = await env.DB.prepare("SELECT id FROM audit_log WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY at")
		.bind(JSON.stringify(ids))
		.all<{ id: string }>();
	return results.map((r) => r.id);
}

describe("audit retention", () => {
	it("the 10-minute upkeep deletes entries older than AUDIT_RETENTION_DAYS (365) and keeps the rest", async () => {
		const action = `retention.${uid()}`;
		const expired = [await entryAged(500, action), await entryAged(366, action)];
		const kept = [await entryAged(364, action), await entryAged(40, action), await entryAged(0.01, action)];
		await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }), env);
		expect(await present([...expired, ...kept])).toEqual(kept);
	});

	it("cannot delete an entry younger than 30 days, whatever it is told", async () => {
		const young = await entryAged(15, `retention.${uid()}`);
		await expect(pruneAudit(env, Date.now(), 10)).rejects.toThrow(/append-only/);
		expect(await present([young])).toEqual([young]);
	});
});
