import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { MAX_RECORDS_PER_MESSAGE, type UsageRecord } from "../../queues/usage-message";
import type { usageDetail, usageItem, usagePage } from "../../src/routes/usage-schemas";
import { admin, call, createKey, uid } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

type UsageItem = z.infer<typeof usageItem>;
type UsagePage = z.infer<typeof usagePage>;

function asKey(key: string, method: string, path: string): Promise<Response> {
	return call(path, { method, headers: { authorization: `Bearer ${key}` } });
}

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; param: string | null } }>()).error;

async function customer(): Promise<{ userId: number; tokenId: number; key: string }> {
	const res = await admin("POST", "/api/users", { name: `u-${uid()}` });
	const { id: userId } = await res.json<{ id: number }>();
	const { id: tokenId, key } = await createKey({ user_id: userId });
	return { userId, tokenId, key };
}

const T0 = Date.parse("2030-01-01T00:00:00Z");

function record(over: Partial<UsageRecord> & Pick<UsageRecord, "user_id" | "token_id">): UsageRecord {
	return usageRecord({ upstream_model: "mock-chat-2025", cached_tokens: 2, latency_ms: 120, ttfb_ms: 40, created_at: T0, ...over });
}

/** Through the real queue consumer, which also writes the ledger debit of a record that cost something. */
async function deliverAll(records: UsageRecord[]): Promise<void> {
	const messages = [];
	for (let i = 0; i < records.length; i += MAX_RECORDS_PER_MESSAGE) {
		messages.push({ id: uid(), body: { records: records.slice(i, i + MAX_RECORDS_PER_MESSAGE) } });
	}
	expect((await deliver("edge-gateway-usage", messages)).explicitAcks).toHaveLength(messages.length);
}

async function list(path: string, key?: string): Promise<UsagePage> {
	const res = key ? await asKey(key, "GET", path) : await admin("GET", path);
	if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
	return res.json();
}

/** Every row a query matches, read page by page with the cursor. */
async function walk(query: string, limit: number): Promise<UsageItem[]> {
	const rows: UsageItem[] = [];
	let cursor: string | null = null;
	do {
		const page: UsagePage = await list(`/api/usage?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
		expect(page.data.length).toBeLessThanOrEqual(limit);
		rows.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return rows;
}

/** Parses RFC 4180 CSV (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = "";
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ",") {
			row.push(cell);
			cell = "";
		} else if (ch === "\r" && text[i + 1] === "\n") {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = "";
			i++;
		} else cell += ch;
	}
	if (cell !== "" || row.length > 0) rows.push([...row, cell]);
	return rows;
}

describe("usage API", () => {
	const a = { userId: 0, tokenId: 0, key: "" };
	const b = { userId: 0, tokenId: 0, key: "" };
	let aRecords: UsageRecord[] = [];

	beforeAll(async () => {
		Object.assign(a, await customer());
		Object.assign(b, await customer());
		const { id: otherToken } = await createKey({ user_id: a.userId });
		aRecords = [
			record({ user_id: a.userId, token_id: a.tokenId, created_at: T0 + 1_000, cost_nusd: 1_500, price_id: 1, channel_id: 11, client_request_id: "trace-a" }),
			record({ user_id: a.userId, token_id: a.tokenId, created_at: T0 + 2_000, status: 502, error_code: "upstream_error", model: "mock-chat-large" }),
			record({ user_id: a.userId, token_id: otherToken, created_at: T0 + 3_000, status: 429, error_code: "rate_limited", stream: true, partial: true }),
			record({ user_id: a.userId, token_id: a.tokenId, created_at: T0 + 3_000, estimated: true, ttfb_ms: null, channel_id: 12 }),
			record({ user_id: a.userId, token_id: a.tokenId, created_at: T0 + 3_000, model: "mock-chat-large", upstream_model: null }),
			record({ user_id: a.userId, token_id: a.tokenId, created_at: T0 + 4_000, attempts: 3 }),
		];
		await deliverAll([
			...aRecords,
			record({ user_id: b.userId, token_id: b.tokenId, created_at: T0 + 2_500 }),
			record({ user_id: b.userId, token_id: b.tokenId, created_at: T0 + 5_000, cost_nusd: 9 }),
		]);
	});

	const newestFirst = () => [...aRecords].sort((x, y) => y.created_at - x.created_at || (x.request_id < y.request_id ? 1 : -1)).map((r) => r.request_id);

	it("lists a user's usage newest first with every field, money in USD", async () => {
		const { data, next_cursor } = await list(`/api/usage?user_id=${a.userId}`);
		expect(next_cursor).toBeNull();
		expect(data.map((r) => r.request_id)).toEqual(newestFirst());
		const charged = data.find((r) => r.request_id === aRecords[0]?.request_id);
		expect(charged).toEqual({
			request_id: aRecords[0]?.request_id,
			client_request_id: "trace-a",
			model: "mock-chat",
			upstream_model: "mock-chat-2025",
			channel_id: 11,
			token_id: a.tokenId,
			user_id: a.userId,
			prompt_tokens: 10,
			completion_tokens: 5,
			cached_tokens: 2,
			cost_usd: 0.0000015,
			price_id: 1,
			cache_hit: null,
			saved_usd: 0,
			status: 200,
			error_code: null,
			partial: false,
			estimated: false,
			stream: false,
			latency_ms: 120,
			ttfb_ms: 40,
			attempts: 1,
			endpoint: "/v1/chat/completions",
			batch_id: null,
			created_at: "2030-01-01T00:00:01.000Z",
		});
		expect(data.find((r) => r.request_id === aRecords[2]?.request_id)).toMatchObject({ stream: true, partial: true, status: 429 });
	});

	it("filters by time, key, model, channel, status and the client's request id", async () => {
		const ids = async (query: string) => (await list(`/api/usage?user_id=${a.userId}&${query}`)).data.map((r) => r.request_id);
		const [r0, r1, r2, r3, r4, r5] = aRecords.map((r) => r.request_id);
		expect(await ids(`from=${T0 + 3_000}`)).toEqual(newestFirst().filter((id) => [r2, r3, r4, r5].includes(id)));
		expect(await ids("from=2030-01-01T00:00:02Z&to=2030-01-01T00:00:03.000Z")).toEqual([r1]);
		expect(await ids(`to=${T0 + 1_001}`)).toEqual([r0]);
		expect(await ids(`token_id=${aRecords[2]?.token_id}`)).toEqual([r2]);
		expect((await ids("model=mock-chat-large")).sort()).toEqual([r1, r4].sort());
		expect(await ids("channel_id=12")).toEqual([r3]);
		expect((await ids("status=error")).sort()).toEqual([r1, r2].sort());
		expect(await ids("status=429")).toEqual([r2]);
		expect((await ids("status=ok")).sort()).toEqual([r0, r3, r4, r5].sort());
		expect(await ids("from=2031-01-01")).toEqual([]);
		expect(await ids("client_request_id=trace-a")).toEqual([r0]);
		expect(await ids("client_request_id=trace-b")).toEqual([]);
	});

	it("pages with an opaque cursor without losing or repeating rows that share a timestamp", async () => {
		for (const limit of [1, 2, 4]) {
			const rows = await walk(`user_id=${a.userId}`, limit);
			expect(rows.map((r) => r.request_id)).toEqual(newestFirst());
		}
		const first = await list(`/api/usage?user_id=${a.userId}&limit=2`);
		expect(first.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
	});

	it("shows one request with its ledger debit and the price it was charged at", async () => {
		const charged = aRecords[0]?.request_id ?? "";
		const detail = await (await admin("GET", `/api/usage/${charged}`)).json<z.infer<typeof usageDetail>>();
		expect(detail).toMatchObject({ request_id: charged, cost_usd: 0.0000015, price_id: 1 });
		expect(detail.charge).toEqual({ ledger_entry_id: expect.any(Number), amount_usd: -0.0000015, balance_after_usd: -0.0000015 });
		expect(detail.price).toMatchObject({ id: 1, model: "gpt-4o" });
		const free = await (await admin("GET", `/api/usage/${aRecords[1]?.request_id}`)).json<z.infer<typeof usageDetail>>();
		expect(free).toMatchObject({ charge: null, price: null, status: 502 });
		expect((await admin("GET", "/api/usage/no-such-request")).status).toBe(404);
	});

	it("shows a user key only its own user's usage", async () => {
		const own = await list("/api/usage", a.key);
		expect(own.data.map((r) => r.request_id)).toEqual(newestFirst());
		expect((await list("/api/usage", b.key)).data.every((r) => r.user_id === b.userId)).toBe(true);
		expect((await list(`/api/usage?user_id=${a.userId}`, a.key)).data).toHaveLength(aRecords.length);
		expect((await list(`/api/usage?token_id=${b.tokenId}`, a.key)).data).toEqual([]);

		const forbidden = await asKey(a.key, "GET", `/api/usage?user_id=${b.userId}`);
		expect(forbidden.status).toBe(403);
		expect((await errorOf(forbidden)).code).toBe("forbidden");
		expect((await asKey(a.key, "GET", `/api/usage/export.csv?user_id=${b.userId}`)).status).toBe(403);

		const bRow = (await list(`/api/usage?user_id=${b.userId}`)).data[0]?.request_id ?? "";
		expect((await asKey(a.key, "GET", `/api/usage/${bRow}`)).status).toBe(404);
		expect((await asKey(b.key, "GET", `/api/usage/${bRow}`)).status).toBe(200);
		expect((await asKey(a.key, "GET", `/api/usage/${aRecords[0]?.request_id}`)).status).toBe(200);

		const csv = await (await asKey(a.key, "GET", "/api/usage/export.csv")).text();
		expect(
			parseCsv(csv)
				.slice(1)
				.map((r) => r[0]),
		).toEqual(newestFirst());
		expect((await call("/api/usage")).status).toBe(401);
	});

	it("rejects bad filters with a 400 naming the field", async () => {
		for (const [query, param] of [
			["limit=0", "limit"],
			["limit=501", "limit"],
			["status=bad", "status"],
			["status=4040", "status"],
			["from=yesterday", "from"],
			["to=2030-13-45", "to"],
			["user_id=-1", "user_id"],
			["cursor=%%%", "cursor"],
			["cursor=bm90IGpzb24", "cursor"],
			["cursor=WzEsMl0", "cursor"],
		]) {
			const res = await admin("GET", `/api/usage?${query}`);
			expect(res.status, query).toBe(400);
			expect((await errorOf(res)).param, query).toBe(param);
		}
		expect((await admin("GET", "/api/usage/export.csv?status=bad")).status).toBe(400);
	});
});

describe("usage CSV export", () => {
	it("writes every matching row, quoted as RFC 4180 says, in the order /api/usage pages them", async () => {
		const u = await customer();
		const tricky = [
			record({ user_id: u.userId, token_id: u.tokenId, model: 'name, with "quotes"', created_at: T0 + 1 }),
			record({ user_id: u.userId, token_id: u.tokenId, model: "=HYPERLINK(1)", error_code: "line\nbreak", created_at: T0 + 2 }),
			record({
				user_id: u.userId,
				token_id: u.tokenId,
				cost_nusd: 123_456_789,
				price_id: 1,
				created_at: T0 + 3,
				cache_hit: "semantic",
				saved_nusd: 500_000_000,
			}),
		];
		await deliverAll(tricky);
		const res = await admin("GET", `/api/usage/export.csv?user_id=${u.userId}`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
		expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="usage-[\dT-]+\.csv"$/);
		const text = await res.text();
		const rows = parseCsv(text);
		expect(rows[0]).toEqual(Object.keys((await list(`/api/usage?user_id=${u.userId}&limit=1`)).data[0] ?? {}));
		expect(rows.slice(1).map((r) => r[0])).toEqual([...tricky].reverse().map((r) => r.request_id));
		const cell = (row: string[] | undefined, name: string) => row?.[rows[0]?.indexOf(name) ?? -1];
		expect(cell(rows[3], "model")).toBe('name, with "quotes"');
		expect(text).toContain('"name, with ""quotes"""');
		// A cell a spreadsheet would run as a formula is defused.
		expect(cell(rows[2], "model")).toBe("'=HYPERLINK(1)");
		expect(cell(rows[2], "error_code")).toBe("line\nbreak");
		expect(cell(rows[1], "cost_usd")).toBe("0.123456789");
		// A response-cache hit: its kind and what it saved, in the list as in the export.
		expect((await list(`/api/usage?user_id=${u.userId}&limit=1`)).data[0]).toMatchObject({ cache_hit: "semantic", saved_usd: 0.5 });
		expect([cell(rows[1], "cache_hit"), cell(rows[1], "saved_usd"), cell(rows[2], "cache_hit"), cell(rows[2], "saved_usd")]).toEqual([
			"semantic",
			"0.5",
			"",
			"0",
		]);
		expect(cell(rows[1], "ttfb_ms")).toBe("40");
		expect(cell(rows[1], "upstream_model")).toBe("mock-chat-2025");
		expect(cell(rows[1], "stream")).toBe("false");
		expect(cell(rows[1], "created_at")).toBe("2030-01-01T00:00:00.003Z");
	});

	it("streams a large export page by page, matching /api/usage row for row", async () => {
		const u = await customer();
		const count = 1_234;
		// Several rows per millisecond, so that pages split runs of equal timestamps.
		await deliverAll(Array.from({ length: count }, (_, i) => record({ user_id: u.userId, token_id: u.tokenId, created_at: T0 + Math.floor(i / 7) })));

		const res = await admin("GET", `/api/usage/export.csv?user_id=${u.userId}`);
		expect(res.status).toBe(200);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		const decoder = new TextDecoder();
		const chunks: string[] = [];
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(decoder.decode(value, { stream: true }));
		}
		// One chunk per page of 500 rows, the header with the first: the file is never built whole.
		expect(chunks.length).toBeGreaterThanOrEqual(3);
		expect(chunks[0]?.split("\r\n").length).toBeLessThan(count);
		const rows = parseCsv(chunks.join(""));
		expect(rows).toHaveLength(count + 1);
		const listed = await walk(`user_id=${u.userId}`, 500);
		expect(rows.slice(1).map((r) => r[0])).toEqual(listed.map((r) => r.request_id));
		expect(new Set(listed.map((r) => r.request_id)).size).toBe(count);

		const filtered = await (await admin("GET", `/api/usage/export.csv?user_id=${u.userId}&from=${T0 + 100}&to=${T0 + 110}`)).text();
		expect(parseCsv(filtered)).toHaveLength(70 + 1);
	});

	it("exports just the header when nothing matches", async () => {
		const text = await (await admin("GET", "/api/usage/export.csv?model=nothing-at-all")).text();
		expect(parseCsv(text)).toHaveLength(1);
		expect(text.endsWith("\r\n")).toBe(true);
	});
});
