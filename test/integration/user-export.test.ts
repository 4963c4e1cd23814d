// A user's data as JSON Lines: GET /api/users/{id}/export (the operator) and /api/users/me/export (the user).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { as, signedInUser } from "../support/apps";
import { admin, createKey } from "../support/gateway";
import { seededUser } from "../support/user-data";

type Line = { type: string } & Record<string, unknown>;

async function lines(res: Response): Promise<Line[]> {
	// Decoded by hand: workerd warns when .text() reads a body whose type it does not know as text.
	const text = new TextDecoder().decode(await res.arrayBuffer());
	expect(text.endsWith("\n")).toBe(true);
	return text
		.trimEnd()
		.split("\n")
		.map((l) => JSON.parse(l) as Line);
}

describe("exporting a user's data", () => {
	it("streams every kind of their data as an attachment, one object a line, without key secrets", async () => {
		const u = await seededUser();
		const other = await seededUser();
		const res = await admin("GET", `/api/users/${u.id}/export`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
		expect(res.headers.get("content-disposition")).toBe(`attachment; filename="user-${u.id}-export.jsonl"`);
		const all = await lines(res);
		const of = (type: string) => all.filter((l) => l.type === type);

		expect(all[0]).toMatchObject({ type: "user", id: u.id, email: u.email, balance_usd: 5 - 4e-6 });
		expect(of("key").map((k) => k.id)).toContain(u.keyId);
		expect(of("key")).toHaveLength(2);
		expect(of("file")).toEqual([expect.objectContaining({ id: u.fileId, filename: "notes.txt", content_url: `/v1/files/${u.fileId}/content` })]);
		expect(of("vector_store")).toEqual([expect.objectContaining({ id: u.storeId, file_ids: [u.fileId] })]);
		expect(of("memory")).toEqual([expect.objectContaining({ id: u.memoryId, memory: `user ${u.id} likes tea`, user_id: "alice" })]);
		const [conversation] = of("conversation");
		expect(conversation).toMatchObject({ id: u.conversationId });
		expect(JSON.stringify(conversation?.items)).toContain(`hello from ${u.id}`);
		expect(of("response")).toHaveLength(1);
		expect(of("app")).toHaveLength(1);
		expect(of("ledger_entry").map((e) => e.kind)).toEqual(["topup", "usage"]);
		expect(of("usage_summary")).toEqual([expect.objectContaining({ model: "mock-chat", requests: 1, cost_usd: 4e-6 })]);

		// Nothing of another user's, and no key hash.
		const text = JSON.stringify(all);
		expect(text).not.toContain(other.fileId);
		expect(text).not.toContain(other.memoryId);
		const hash = await env.DB.prepare("SELECT key_hash FROM tokens WHERE id = ?1").bind(u.keyId).first<{ key_hash: string }>();
		expect(text).not.toContain(hash?.key_hash);
		expect(text).not.toContain(u.key);
	});

	it("gives users their own export from a session, never from a gateway key or for another user", async () => {
		const { id, session } = await signedInUser();
		const { key } = await createKey({ user_id: id });
		const res = await as(session, "GET", "/api/users/me/export");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
		const [head, ...rest] = await lines(res);
		expect(head).toMatchObject({ type: "user", id });
		expect(rest.map((l) => l.type)).toEqual(["key"]);
		expect((await as(key, "GET", "/api/users/me/export")).status).toBe(403);
		expect((await as(session, "GET", `/api/users/${id}/export`)).status).toBe(403);
	});
});
