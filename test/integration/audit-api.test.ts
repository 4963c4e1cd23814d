import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../queues/audit-message";
import { type AuditActor, auditEntryOf, sendAudit } from "../../src/audit/record";
import { as, signedInUser } from "../support/apps";
import { awaitAudit } from "../support/audit";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { createKey, uid } from "../support/gateway";

interface Item {
	id: string;
	at: string;
	actor_type: string;
	user_id: number | null;
	action: string;
	object_id: string | null;
	result: string;
	diff: Record<string, unknown> | null;
}
interface Page {
	data: Item[];
	has_more: boolean;
	next_cursor: string | null;
}

const facts = { ip: "203.0.113.5", userAgent: "test", requestId: null };
const HOUR = 3_600_000;

async function page(token: string, query: string): Promise<Page> {
	const res = await as(token, "GET", `/api/audit?${query}`);
	if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
	return res.json<Page>();
}

/** Every page of a query, following next_cursor. */
async function all(token: string, query: string): Promise<{ items: Item[]; pages: number }> {
	const items: Item[] = [];
	let after: string | null = null;
	let pages = 0;
	do {
		const p: Page = await page(token, `${query}${after === null ? "" : `&cursor=${after}`}`);
		pages++;
		items.push(...p.data);
		expect(p.has_more).toBe(p.next_cursor !== null);
		after = p.next_cursor;
	} while (after !== null);
	return { items, pages };
}

describe("GET /api/audit", () => {
	// Actions of this test's own family, so that other files' entries never count.
	const family = `t${uid()}`;
	let alice: { id: number; session: string };
	let bob: { id: number; session: string };
	let bobKey: string;
	const now = Date.now();

	beforeAll(async () => {
		alice = await signedInUser();
		bob = await signedInUser();
		bobKey = (await createKey({ user_id: bob.id })).key;
		const actor = (id: number): AuditActor => ({ actor_type: "user", actor_id: id, user_id: id });
		const entries: AuditEntry[] = [
			...[0, 1, 2, 3, 4].map((i) =>
				auditEntryOf(actor(alice.id), facts, { action: `${family}.create`, objectType: "thing", objectId: `a${i}` }, now - (5 - i) * HOUR),
			),
			auditEntryOf(actor(bob.id), facts, { action: `${family}.delete`, objectType: "thing", objectId: "b0", result: "failure" }, now - 2.5 * HOUR),
			// A formula in a field the client chose: the export must not let a spreadsheet run it.
			auditEntryOf(actor(bob.id), facts, { action: `${family}.rename`, objectType: "other", objectId: "=HYPERLINK(1)" }, now - 0.5 * HOUR),
			auditEntryOf({ actor_type: "operator", actor_id: null, user_id: null }, facts, { action: `${family}x.other`, objectId: "o0" }, now),
		];
		await sendAudit(env, entries);
		await awaitAudit(`${family}.create`, undefined, 5);
		await awaitAudit(`${family}x.other`);
		await awaitAudit(`${family}.rename`);
		await awaitAudit(`${family}.delete`);
		await awaitAudit("auth.login", bob.id);
	});

	it("filters by action (exact or a prefix), actor, user, object, result and time", async () => {
		const ids = (p: Page) => p.data.map((i) => i.object_id);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.*`))).toEqual(["=HYPERLINK(1)", "a4", "a3", "b0", "a2", "a1", "a0"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.delete`))).toEqual(["b0"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.*&result=failure`))).toEqual(["b0"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.*&user_id=${bob.id}`))).toEqual(["=HYPERLINK(1)", "b0"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.*&object_type=other`))).toEqual(["=HYPERLINK(1)"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.*&object_id=a2`))).toEqual(["a2"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `object_id=o0&actor_type=operator`))).toEqual(["o0"]);
		expect(ids(await page(TEST_ADMIN_TOKEN, `object_id=o0&actor_type=user`))).toEqual([]);
		const from = new Date(now - 4.5 * HOUR).toISOString();
		const to = new Date(now - 2.5 * HOUR).toISOString();
		expect(ids(await page(TEST_ADMIN_TOKEN, `action=${family}.create&from=${from}&to=${to}`))).toEqual(["a2", "a1"]);
		const [first] = (await page(TEST_ADMIN_TOKEN, `action=${family}.*&limit=1`)).data;
		expect(first).toMatchObject({ actor_type: "user", user_id: bob.id, action: `${family}.rename`, at: new Date(now - 0.5 * HOUR).toISOString() });
	});

	it("pages with an opaque cursor, newest first, nothing lost or repeated", async () => {
		const { items, pages } = await all(TEST_ADMIN_TOKEN, `action=${family}.*&limit=2`);
		expect(pages).toBe(4);
		expect(items.map((i) => i.object_id)).toEqual(["=HYPERLINK(1)", "a4", "a3", "b0", "a2", "a1", "a0"]);
		expect((await as(TEST_ADMIN_TOKEN, "GET", "/api/audit?cursor=not-a-cursor")).status).toBe(400);
		expect((await as(TEST_ADMIN_TOKEN, "GET", "/api/audit?limit=201")).status).toBe(400);
		expect((await as(TEST_ADMIN_TOKEN, "GET", "/api/audit?action=key%20create")).status).toBe(400);
	});

	it("shows a user only the entries about them, by session or key", async () => {
		expect((await all(alice.session, `action=${family}.*`)).items.map((i) => i.object_id)).toEqual(["a4", "a3", "a2", "a1", "a0"]);
		const bobs = await all(bob.session, `action=${family}.*&limit=1`);
		expect(bobs.items.map((i) => i.object_id)).toEqual(["=HYPERLINK(1)", "b0"]);
		expect((await all(bobKey, `action=${family}.*`)).items.map((i) => i.object_id)).toEqual(["=HYPERLINK(1)", "b0"]);
		// Bob sees none of Alice's, nor the operator's, whatever he asks for.
		const everything = await all(bob.session, "limit=200");
		expect(everything.items.every((i) => i.user_id === bob.id)).toBe(true);
		expect((await as(bob.session, "GET", `/api/audit?user_id=${alice.id}`)).status).toBe(403);
		expect((await as(bob.session, "GET", `/api/audit/export.csv?user_id=${alice.id}`)).status).toBe(403);
		// His own sign-in is among his entries.
		expect(everything.items.some((i) => i.action === "auth.login")).toBe(true);
	});

	it("exports the same filters as CSV, with formulas defused", async () => {
		const res = await as(TEST_ADMIN_TOKEN, "GET", `/api/audit/export.csv?action=${family}.*&from=${new Date(now - 2.2 * HOUR).toISOString()}`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
		expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-/);
		const lines = (await res.text()).trimEnd().split("\r\n");
		expect(lines[0]).toBe("id,at,actor_type,actor_id,user_id,action,object_type,object_id,diff,result,ip,user_agent,request_id");
		expect(lines).toHaveLength(4);
		expect(lines[1]).toContain(`,${family}.rename,other,'=HYPERLINK(1),`);
		expect(lines.slice(2).map((l) => l.split(",")[7])).toEqual(["a4", "a3"]);
		const bobs = await (await as(bob.session, "GET", `/api/audit/export.csv?action=${family}.*`)).text();
		expect(bobs.trimEnd().split("\r\n")).toHaveLength(3);
		expect(bobs).not.toContain(",a4,");
	});
});
