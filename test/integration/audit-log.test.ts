import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditEntryOf, SYSTEM, sendAudit } from "../../src/audit/record";
import { REDACTED } from "../../src/audit/redact";
import { auditRows, awaitAudit } from "../support/audit";
import { uid } from "../support/gateway";

describe("audit log storage", () => {
	it("stores an entry sent through the usage queue once, however often it is delivered, with secrets redacted", async () => {
		const objectId = `obj-${uid()}`;
		const entry = auditEntryOf(
			SYSTEM,
			{ ip: "203.0.113.9", userAgent: "test", requestId: "req-1" },
			{
				action: "test.write",
				objectType: "test",
				objectId,
				before: { name: "a", upstream_key: "sk-live-secret" },
				after: { name: "b", upstream_key: "sk-live-other" },
			},
		);
		await sendAudit(env, [entry]);
		await sendAudit(env, [entry]);
		const [row, ...more] = await awaitAudit("test.write", objectId);
		expect(more).toEqual([]);
		expect(row).toMatchObject({ actor_type: "system", ip: "203.0.113.9", request_id: "req-1", result: "success" });
		expect(JSON.parse(row?.diff ?? "null")).toEqual({ before: { name: "a", upstream_key: REDACTED }, after: { name: "b", upstream_key: REDACTED } });
		expect(await auditRows("test.write", objectId)).toHaveLength(1);
	});

	it("refuses to change an entry or delete a recent one", async () => {
		const objectId = `obj-${uid()}`;
		await sendAudit(env, [auditEntryOf(SYSTEM, { ip: null, userAgent: null, requestId: null }, { action: "test.keep", objectId })]);
		const [row] = await awaitAudit("test.keep", objectId);
		await expect(env.DB.prepare("UPDATE audit_log SET action = 'x' WHERE id = ?").bind(row?.id).run()).rejects.toThrow(/append-only/);
		await expect(env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(row?.id).run()).rejects.toThrow(/append-only/);
	});
});
