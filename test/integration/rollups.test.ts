import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import worker from "../../src";
import { PERIOD_MS, type Period } from "../../src/rollups/buckets";
import { pruneUsageLogs, retentionCutoff } from "../../src/rollups/retention";
import { rollupRange } from "../../src/rollups/rollup";
import type { timeseriesResponse, topResponse } from "../../src/routes/stats-schemas";
import { admin, call, uid } from "../support/gateway";

// Each test works in its own stretch of time, so none can see another's rows even where storage is shared.
// The retention and cron tests delete old logs, so they use the oldest eras.
const HOUR = PERIOD_MS.hour;
const DAY = PERIOD_MS.day;
const ids = { users: [null, 1, 2, 3], tokens: [null, 11, 12] };

interface Log {
	request_id: string;
	token_id: number | null;
	user_id: number | null;
	channel_id: number | null;
	model: string;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_nusd: number;
	cache_hit: "exact" | "semantic" | null;
	saved_nusd: number;
	latency_ms: number;
	ttfb_ms: number | null;
	status: number;
	created_at: number;
}

interface Rollup {
	period: string;
	bucket_start: number;
	model: string;
	channel_id: number;
	token_id: number;
	user_id: number;
	requests: number;
	errors: number;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_nusd: number;
	cache_hits: number;
	saved_nusd: number;
	latency_p50_ms: number | null;
	latency_p95_ms: number | null;
	ttfb_p50_ms: number | null;
	ttfb_p95_ms: number | null;
}

/** mulberry32: the same "random" rows on every run, so a failure can be reproduced. */
function random(seed: number) {
	let s = seed;
	const next = () => {
		s = (s + 0x6d2b79f5) | 0;
		let t = Math.imul(s ^ (s >>> 15), 1 | s);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
	const pick = <T>(items: readonly T[]): T => {
		const item = items[Math.floor(next() * items.length)];
		if (item === undefined) throw new Error("pick from an empty list");
		return item;
	};
	return { next, int, pick };
}

function randomLogs(seed: number, count: number, hours: readonly number[], ids: { users: (number | null)[]; tokens: (number | null)[] }): Log[] {
	const rnd = random(seed);
	return Array.from({ length: count }, () => {
		const model = rnd.pick(["gpt-a", "claude-b", "gemini-c", "no-ttfb"]);
		const hit = rnd.next() < 0.25 ? rnd.pick(["exact", "semantic"] as const) : null;
		return {
			request_id: `r-${uid()}-${uid()}`,
			token_id: rnd.pick(ids.tokens),
			user_id: rnd.pick(ids.users),
			channel_id: rnd.pick([null, 1, 2]),
			model,
			prompt_tokens: rnd.int(0, 2000),
			completion_tokens: rnd.int(0, 800),
			cached_tokens: rnd.int(0, 100),
			cost_nusd: rnd.int(0, 50_000_000),
			cache_hit: hit,
			saved_nusd: hit === null ? 0 : rnd.int(0, 30_000_000),
			// A narrow range, so that ties are common.
			latency_ms: rnd.int(5, 400),
			ttfb_ms: model === "no-ttfb" || rnd.next() < 0.3 ? null : rnd.int(1, 200),
			status: rnd.next() < 0.15 ? rnd.pick([400, 401, 429, 500, 502]) : rnd.pick([200, 200, 201, 399]),
			created_at: rnd.pick(hours) + rnd.int(0, HOUR - 1),
		};
	});
}

async function insertLogs(logs: Log[]): Promise<void> {
	const insert = env.DB.prepare(`INSERT INTO usage_logs (request_id, token_id, user_id, channel_id, endpoint, model, prompt_tokens,
		completion_tokens, cached_tokens, cost_nusd, latency_ms, ttfb_ms, status, created_at, cache_hit, saved_nusd)
		VALUES (?1, ?2, ?3, ?4, '/v1/chat/completions', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`);
	await env.DB.batch(
		logs.map((l) =>
			insert.bind(
				l.request_id,
				l.token_id,
				l.user_id,
				l.channel_id,
				l.model,
				l.prompt_tokens,
				l.completion_tokens,
				l.cached_tokens,
				l.cost_nusd,
				l.latency_ms,
				l.ttfb_ms,
				l.status,
				l.created_at,
				l.cache_hit,
				l.saved_nusd,
			),
		),
	);
}

/** Nearest rank, computed the plain way: the value at rank ceil(p × n) of the sorted values. */
function percentile(values: number[], p: number): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.ceil((p * sorted.length) / 100) - 1] ?? null;
}

const sum = (logs: Log[], pick: (l: Log) => number) => logs.reduce((s, l) => s + pick(l), 0);

function aggregate(period: Period, bucket: number, key: Pick<Rollup, "model" | "channel_id" | "token_id" | "user_id">, logs: Log[]): Rollup {
	const ttfbs = logs.flatMap((l) => (l.ttfb_ms === null ? [] : [l.ttfb_ms]));
	return {
		period,
		bucket_start: bucket,
		...key,
		requests: logs.length,
		errors: logs.filter((l) => l.status >= 400).length,
		prompt_tokens: sum(logs, (l) => l.prompt_tokens),
		completion_tokens: sum(logs, (l) => l.completion_tokens),
		cached_tokens: sum(logs, (l) => l.cached_tokens),
		cost_nusd: sum(logs, (l) => l.cost_nusd),
		cache_hits: logs.filter((l) => l.cache_hit !== null).length,
		saved_nusd: sum(logs, (l) => l.saved_nusd),
		latency_p50_ms: percentile(
			logs.map((l) => l.latency_ms),
			50,
		),
		latency_p95_ms: percentile(
			logs.map((l) => l.latency_ms),
			95,
		),
		ttfb_p50_ms: percentile(ttfbs, 50),
		ttfb_p95_ms: percentile(ttfbs, 95),
	};
}

/** The rollup rows the raw logs should give: one per bucket and group, and one total per bucket. */
function expectedRollups(period: Period, logs: Log[]): Rollup[] {
	const groups = new Map<string, { bucket: number; key: Pick<Rollup, "model" | "channel_id" | "token_id" | "user_id">; logs: Log[] }>();
	const add = (bucket: number, key: Pick<Rollup, "model" | "channel_id" | "token_id" | "user_id">, log: Log) => {
		const id = JSON.stringify([bucket, key]);
		const group = groups.get(id) ?? { bucket, key, logs: [] };
		group.logs.push(log);
		groups.set(id, group);
	};
	for (const l of logs) {
		const bucket = Math.floor(l.created_at / PERIOD_MS[period]) * PERIOD_MS[period];
		add(bucket, { model: l.model === "*" ? "[*]" : l.model, channel_id: l.channel_id ?? 0, token_id: l.token_id ?? 0, user_id: l.user_id ?? 0 }, l);
		add(bucket, { model: "*", channel_id: 0, token_id: 0, user_id: 0 }, l);
	}
	return sortRollups([...groups.values()].map((g) => aggregate(period, g.bucket, g.key, g.logs)));
}

function sortRollups(rows: Rollup[]): Rollup[] {
	const key = (r: Rollup) => JSON.stringify([r.period, r.bucket_start, r.model, r.channel_id, r.token_id, r.user_id]);
	return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function storedRollups(period: Period, from: number, to: number): Promise<Rollup[]> {
	const { results } = await env.DB.prepare("SELECT * FROM usage_rollups WHERE period = ? AND bucket_start >= ? AND bucket_start < ?")
		.bind(period, from, to)
		.all<Rollup>();
	return sortRollups(results);
}

const countLogs = async (from: number, to: number) =>
	(await env.DB.prepare("SELECT count(*) AS n FROM usage_logs WHERE created_at >= ? AND created_at < ?").bind(from, to).first<{ n: number }>())?.n;

describe("rollups", () => {
	// 23:00 and 22:00 of one day and 00:00 and 05:00 of the next: two days, four hours.
	const day1 = Date.UTC(2026, 0, 10);
	const hours = [day1 + 22 * HOUR, day1 + 23 * HOUR, day1 + DAY, day1 + DAY + 5 * HOUR];

	it("match aggregates computed directly from the raw rows, detail and total, for hours and days", async () => {
		const logs = randomLogs(42, 400, hours, ids);
		await insertLogs(logs);
		// Neighbours just outside the range must not be counted.
		await insertLogs(randomLogs(7, 10, [day1 - DAY, day1 + 2 * DAY], ids));

		expect(await rollupRange(env, "hour", day1, day1 + 2 * DAY)).toBe(expectedRollups("hour", logs).length);
		await rollupRange(env, "day", day1, day1 + 2 * DAY);

		for (const period of ["hour", "day"] as const) {
			const expected = expectedRollups(period, logs);
			expect(await storedRollups(period, day1, day1 + 2 * DAY)).toEqual(expected);
			// Sanity of the fixture: groups with several requests, errors, null ttfb and totals all occur.
			expect(expected.some((r) => r.model !== "*" && r.requests >= 5)).toBe(true);
			expect(expected.some((r) => r.model === "no-ttfb" && r.ttfb_p50_ms === null)).toBe(true);
			expect(expected.filter((r) => r.model === "*")).toHaveLength(period === "hour" ? 4 : 2);
		}
		expect(expectedRollups("hour", logs).some((r) => r.errors > 0 && r.ttfb_p95_ms !== null)).toBe(true);
	});

	it("are idempotent: a second run writes the same rows, and a late request is counted once", async () => {
		const base = Date.UTC(2026, 1, 3);
		const logs = randomLogs(9, 120, [base + 3 * HOUR, base + 4 * HOUR], ids);
		await insertLogs(logs);
		await rollupRange(env, "hour", base, base + DAY);
		const first = await storedRollups("hour", base, base + DAY);
		await rollupRange(env, "hour", base, base + DAY);
		expect(await storedRollups("hour", base, base + DAY)).toEqual(first);

		const late = randomLogs(10, 1, [base + 4 * HOUR], ids);
		await insertLogs(late);
		await rollupRange(env, "hour", base + 4 * HOUR, base + 5 * HOUR);
		expect(await storedRollups("hour", base, base + DAY)).toEqual(expectedRollups("hour", [...logs, ...late]));
	});

	it("roll a request whose model is literally '*' into '[*]', never into the total row", async () => {
		const base = Date.UTC(2026, 1, 5);
		const logs = randomLogs(11, 20, [base], { users: [null], tokens: [null] }).map((l) => ({ ...l, model: "*", channel_id: null }));
		await insertLogs(logs);
		await rollupRange(env, "hour", base, base + HOUR);
		const rows = await storedRollups("hour", base, base + HOUR);
		expect(rows).toEqual(expectedRollups("hour", logs));
		expect(rows.map((r) => r.model)).toEqual(["*", "[*]"]);
	});

	it("backfill a long range in chunks and leave buckets without requests empty", async () => {
		const base = Date.UTC(2026, 2, 1);
		const logs = randomLogs(12, 60, [base + 2 * HOUR, base + 3 * DAY + 7 * HOUR, base + 9 * DAY], ids);
		await insertLogs(logs);
		await rollupRange(env, "hour", base, base + 10 * DAY);
		await rollupRange(env, "day", base + 5, base + 10 * DAY - 5);
		expect(await storedRollups("hour", base, base + 10 * DAY)).toEqual(expectedRollups("hour", logs));
		expect(await storedRollups("day", base, base + 10 * DAY)).toEqual(expectedRollups("day", logs));
	});
});

describe("retention", () => {
	it("cuts on a whole UTC day at least the retention period ago", () => {
		expect(retentionCutoff(Date.UTC(2026, 0, 31, 15, 20), 30)).toBe(Date.UTC(2026, 0, 1));
		expect(retentionCutoff(Date.UTC(2026, 0, 31), 1)).toBe(Date.UTC(2026, 0, 30));
	});

	it("deletes only rows older than the cutoff, in bounded batches, and keeps their rollups", async () => {
		const cutoff = Date.UTC(2019, 5, 10);
		const old = randomLogs(21, 25, [cutoff - DAY, cutoff - HOUR], ids);
		const kept = randomLogs(22, 5, [cutoff], ids);
		await insertLogs([...old, ...kept]);
		await rollupRange(env, "hour", cutoff - DAY, cutoff + HOUR);
		const rollups = await storedRollups("hour", cutoff - DAY, cutoff + HOUR);

		expect(await pruneUsageLogs(env, cutoff, { batchSize: 10, maxBatches: 2 })).toEqual({ deleted: 20, done: false });
		expect(await countLogs(0, cutoff)).toBe(5);
		expect(await pruneUsageLogs(env, cutoff, { batchSize: 10, maxBatches: 2 })).toEqual({ deleted: 5, done: true });
		expect(await countLogs(0, cutoff)).toBe(0);
		expect(await countLogs(cutoff, cutoff + HOUR)).toBe(5);

		// A later backfill over the pruned hours must not wipe the rollups that are all that is left of them.
		await rollupRange(env, "hour", cutoff - DAY, cutoff + HOUR);
		expect(await storedRollups("hour", cutoff - DAY, cutoff + HOUR)).toEqual(rollups);
	});
});

describe("cron trigger", () => {
	it("rolls up the current and previous hour and day, and prunes logs past the retention period", async () => {
		const now = Date.UTC(2020, 2, 1, 0, 10);
		const logs = randomLogs(31, 80, [now - 10 * 60_000, now - HOUR - 10 * 60_000, now - 5 * HOUR], ids);
		const older = randomLogs(32, 5, [now - 2 * DAY], ids);
		const expired = randomLogs(33, 5, [now - 40 * DAY], ids);
		await insertLogs([...logs, ...older, ...expired]);

		await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/10 * * * *" }), env);

		const hourStart = now - 10 * 60_000;
		const recentHours = logs.filter((l) => l.created_at >= hourStart - HOUR);
		expect(await storedRollups("hour", hourStart - HOUR, hourStart + HOUR)).toEqual(expectedRollups("hour", recentHours));
		expect(await storedRollups("day", hourStart - DAY, hourStart + DAY)).toEqual(expectedRollups("day", logs));
		// Older buckets are left to the backfill: the cron's work stays bounded.
		expect(await storedRollups("hour", now - 10 * DAY, hourStart - HOUR)).toEqual([]);
		expect(await storedRollups("day", now - 10 * DAY, hourStart - DAY)).toEqual([]);
		expect(await countLogs(0, now - 31 * DAY)).toBe(0);
		expect(await countLogs(now - 3 * DAY, now + DAY)).toBe(logs.length + older.length);
	});
});

type Timeseries = z.infer<typeof timeseriesResponse>;
type Top = z.infer<typeof topResponse>;

const weighted = (rows: Rollup[], pick: (r: Rollup) => number | null): number | null => {
	const withValue = rows.filter((r) => pick(r) !== null);
	if (withValue.length === 0) return null;
	return Math.round(withValue.reduce((s, r) => s + (pick(r) ?? 0) * r.requests, 0) / withValue.reduce((s, r) => s + r.requests, 0));
};

function point(bucket: number, rows: Rollup[]) {
	const total = (pick: (r: Rollup) => number) => rows.reduce((s, r) => s + pick(r), 0);
	return {
		bucket_start: new Date(bucket).toISOString(),
		requests: total((r) => r.requests),
		errors: total((r) => r.errors),
		prompt_tokens: total((r) => r.prompt_tokens),
		completion_tokens: total((r) => r.completion_tokens),
		cached_tokens: total((r) => r.cached_tokens),
		cost_usd: total((r) => r.cost_nusd) / 1e9,
		cache_hits: total((r) => r.cache_hits),
		saved_usd: total((r) => r.saved_nusd) / 1e9,
		latency_p50_ms: weighted(rows, (r) => r.latency_p50_ms),
		latency_p95_ms: weighted(rows, (r) => r.latency_p95_ms),
		ttfb_p50_ms: weighted(rows, (r) => r.ttfb_p50_ms),
		ttfb_p95_ms: weighted(rows, (r) => r.ttfb_p95_ms),
	};
}

function pointsOf(rows: Rollup[]) {
	const buckets = [...new Set(rows.map((r) => r.bucket_start))].sort((a, b) => a - b);
	return buckets.map((b) =>
		point(
			b,
			rows.filter((r) => r.bucket_start === b),
		),
	);
}

async function userKey(): Promise<{ userId: number; key: string }> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`stats-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	const res = await admin("POST", "/api/tokens", { name: `k-${uid()}`, user_id: user.id });
	expect(res.status).toBe(201);
	const { key } = await res.json<{ key: string }>();
	return { userId: user.id, key };
}

const asUser = (key: string, path: string) => call(path, { headers: { authorization: `Bearer ${key}` } });

describe("GET /api/stats", () => {
	// Each test seeds its own day.
	const rangeOf = (base: number) => `from=${new Date(base).toISOString()}&to=${base + DAY}`;

	async function seed(base: number, users: number[]) {
		const logs = randomLogs(51, 200, [base + HOUR, base + 2 * HOUR, base + 6 * HOUR], { users, tokens: [null, 11, 12] });
		await insertLogs(logs);
		await rollupRange(env, "hour", base, base + DAY);
		await rollupRange(env, "day", base, base + DAY);
		return { logs, hourly: expectedRollups("hour", logs), daily: expectedRollups("day", logs) };
	}

	it("serves the operator the buckets' totals, with exact percentiles, and nothing from outside the range", async () => {
		const base = Date.UTC(2025, 6, 14);
		const range = rangeOf(base);
		const { hourly, daily } = await seed(base, [1, 2]);
		const res = await admin("GET", `/api/stats/timeseries?period=hour&${range}`);
		expect(res.status).toBe(200);
		const body = await res.json<Timeseries>();
		expect(body).toEqual({
			period: "hour",
			from: new Date(base).toISOString(),
			to: new Date(base + DAY).toISOString(),
			percentiles: "exact",
			data: pointsOf(hourly.filter((r) => r.model === "*")),
		});
		expect(body.data).toHaveLength(3);

		const days = await (await admin("GET", `/api/stats/timeseries?period=day&from=${base + 3 * HOUR}&to=${base + HOUR * 4}`)).json<Timeseries>();
		expect(days.data).toEqual(pointsOf(daily.filter((r) => r.model === "*")));
		expect(days.from).toBe(new Date(base).toISOString());

		const later = await (await admin("GET", `/api/stats/timeseries?from=${base + 3 * HOUR}&to=${base + 7 * HOUR}`)).json<Timeseries>();
		expect(later.data.map((p) => p.bucket_start)).toEqual([new Date(base + 6 * HOUR).toISOString()]);
	});

	it("sums the matching groups when filtered, and says the percentiles are approximate", async () => {
		const base = Date.UTC(2025, 6, 15);
		const range = rangeOf(base);
		const { hourly } = await seed(base, [1, 2]);
		const body = await (await admin("GET", `/api/stats/timeseries?${range}&model=gpt-a&channel_id=1`)).json<Timeseries>();
		expect(body.percentiles).toBe("approximate");
		expect(body.data).toEqual(pointsOf(hourly.filter((r) => r.model === "gpt-a" && r.channel_id === 1)));
		const noTtfb = await (await admin("GET", `/api/stats/timeseries?${range}&model=no-ttfb`)).json<Timeseries>();
		expect(noTtfb.data.length).toBeGreaterThan(0);
		for (const p of noTtfb.data) expect(p).toMatchObject({ ttfb_p50_ms: null, ttfb_p95_ms: null });
	});

	it("limits a user's key to that user's usage", async () => {
		const mine = await userKey();
		const other = await userKey();
		const base = Date.UTC(2025, 6, 16);
		const range = rangeOf(base);
		const { hourly } = await seed(base, [mine.userId, other.userId]);
		const expected = pointsOf(hourly.filter((r) => r.model !== "*" && r.user_id === mine.userId));

		const own = await (await asUser(mine.key, `/api/stats/timeseries?${range}`)).json<Timeseries>();
		expect(own).toMatchObject({ percentiles: "approximate", data: expected });
		const named = await (await asUser(mine.key, `/api/stats/timeseries?${range}&user_id=${mine.userId}`)).json<Timeseries>();
		expect(named.data).toEqual(expected);
		const theirs = await asUser(mine.key, `/api/stats/timeseries?${range}&user_id=${other.userId}`);
		expect(theirs.status).toBe(403);

		const byUser = await (await asUser(mine.key, `/api/stats/top?${range}&by=user`)).json<Top>();
		expect(byUser.data.map((d) => d.key)).toEqual([mine.userId]);
		expect((await asUser(mine.key, `/api/stats/top?${range}&user_id=${other.userId}`)).status).toBe(403);
	});

	it("ranks models, channels, keys and users by requests, with their cost and response-cache hits and savings", async () => {
		const base = Date.UTC(2025, 6, 17);
		const range = rangeOf(base);
		const { daily } = await seed(base, [1, 2, 3]);
		const detail = daily.filter((r) => r.model !== "*");
		for (const [by, keyOf] of [
			["model", (r: Rollup) => r.model],
			["channel", (r: Rollup) => r.channel_id],
			["token", (r: Rollup) => r.token_id],
			["user", (r: Rollup) => r.user_id],
		] as const) {
			const groups = new Map<string | number, Rollup[]>();
			for (const r of detail) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
			const expected = [...groups]
				.map(([key, rows]) => ({ key, ...point(0, rows) }))
				.sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : 1))
				.slice(0, 2)
				.map(({ key, requests, errors, prompt_tokens, completion_tokens, cached_tokens, cost_usd, cache_hits, saved_usd }) => ({
					key,
					requests,
					errors,
					prompt_tokens,
					completion_tokens,
					cached_tokens,
					cost_usd,
					cache_hits,
					saved_usd,
				}));
			const res = await admin("GET", `/api/stats/top?period=day&${range}&by=${by}&limit=2`);
			expect(res.status).toBe(200);
			expect(await res.json<Top>()).toEqual({ period: "day", by, from: new Date(base).toISOString(), to: new Date(base + DAY).toISOString(), data: expected });
			// Ranked by the response cache's hits instead: only groups it answered, the most answered first.
			const byHits = [...groups]
				.map(([key, rows]) => ({ key, ...point(0, rows) }))
				.filter((g) => g.cache_hits > 0)
				.sort((a, b) => b.cache_hits - a.cache_hits || b.requests - a.requests || (a.key < b.key ? -1 : 1))
				.slice(0, 2)
				.map(({ key, cache_hits }) => ({ key, cache_hits }));
			const hits = await (await admin("GET", `/api/stats/top?period=day&${range}&by=${by}&limit=2&order=cache_hits`)).json<Top>();
			expect(hits.data.map(({ key, cache_hits }) => ({ key, cache_hits }))).toEqual(byHits);
		}
	});

	it("counts minute buckets from the raw logs, with exact percentiles, filtered or not, and scoped to a key's user", async () => {
		const MINUTE = PERIOD_MS.minute;
		const base = Date.UTC(2025, 6, 20);
		const mine = await userKey();
		const other = await userKey();
		const inRange = randomLogs(61, 40, [base], { users: [mine.userId, other.userId], tokens: [null, 11] }).map((l, i) => ({
			...l,
			// Two minutes, a few seconds into each: one bucket per minute, not one per hour.
			created_at: base + (i % 2 === 0 ? 5 : 7) * MINUTE + (i % 50) * 1000,
		}));
		const outside = randomLogs(62, 2, [base], ids).map((l, i) => ({ ...l, created_at: i === 0 ? base - 1 : base + 10 * MINUTE }));
		// No rollup is computed: minutes are counted from the logs themselves.
		await insertLogs([...inRange, ...outside]);
		const total = { model: "*", channel_id: 0, token_id: 0, user_id: 0 };
		const pointsOver = (logs: Log[]) =>
			[5, 7]
				.map((m) => base + m * MINUTE)
				.map((minute) => [minute, logs.filter((l) => l.created_at >= minute && l.created_at < minute + MINUTE)] as const)
				.filter(([, rows]) => rows.length > 0)
				.map(([minute, rows]) => point(minute, [aggregate("hour", minute, total, rows)]));
		const range = `period=minute&from=${new Date(base).toISOString()}&to=${base + 10 * MINUTE}`;

		const all = await (await admin("GET", `/api/stats/timeseries?${range}`)).json<Timeseries>();
		expect(all).toEqual({
			period: "minute",
			from: new Date(base).toISOString(),
			to: new Date(base + 10 * MINUTE).toISOString(),
			percentiles: "exact",
			data: pointsOver(inRange),
		});
		expect(all.data.map((p) => p.bucket_start)).toEqual([new Date(base + 5 * MINUTE).toISOString(), new Date(base + 7 * MINUTE).toISOString()]);

		const gptA = await (await admin("GET", `/api/stats/timeseries?${range}&model=gpt-a`)).json<Timeseries>();
		expect(gptA).toMatchObject({ percentiles: "exact", data: pointsOver(inRange.filter((l) => l.model === "gpt-a")) });
		const noChannel = await (await admin("GET", `/api/stats/timeseries?${range}&channel_id=0`)).json<Timeseries>();
		expect(noChannel.data).toEqual(pointsOver(inRange.filter((l) => l.channel_id === null)));

		const own = await (await asUser(mine.key, `/api/stats/timeseries?${range}`)).json<Timeseries>();
		expect(own.data).toEqual(pointsOver(inRange.filter((l) => l.user_id === mine.userId)));
		expect((await asUser(mine.key, `/api/stats/timeseries?${range}&user_id=${other.userId}`)).status).toBe(403);

		// Bounded: raw logs are read for at most MAX_BUCKETS minutes.
		const long = await admin("GET", `/api/stats/timeseries?period=minute&from=${base}&to=${base + 1001 * MINUTE}`);
		expect(long.status).toBe(400);
		expect((await long.json<{ error: { param: string } }>()).error.param).toBe("from");
		const defaults = await (await admin("GET", "/api/stats/timeseries?period=minute")).json<Timeseries>();
		expect(Date.parse(defaults.to) - Date.parse(defaults.from)).toBeGreaterThanOrEqual(PERIOD_MS.hour);
		// The rollups have no minutes: top keeps to hours and days.
		expect((await admin("GET", `/api/stats/top?${range}`)).status).toBe(400);
	});

	it("answers 400 naming the field for bad input, and 401 without a key", async () => {
		const base = Date.UTC(2025, 6, 18);
		for (const [query, param] of [
			["period=week", "period"],
			["from=yesterday", "from"],
			[`from=${base + DAY}&to=${base}`, "from"],
			[`period=hour&from=${base - 60 * DAY}&to=${base}`, "from"],
			["channel_id=-1", "channel_id"],
		] as const) {
			const res = await admin("GET", `/api/stats/timeseries?${query}`);
			expect(res.status, query).toBe(400);
			expect((await res.json<{ error: { param: string } }>()).error.param).toBe(param);
		}
		expect((await admin("GET", "/api/stats/top?by=region")).status).toBe(400);
		expect((await admin("GET", "/api/stats/top?limit=0")).status).toBe(400);
		expect((await call("/api/stats/timeseries")).status).toBe(401);
		const defaults = await (await admin("GET", "/api/stats/timeseries")).json<Timeseries>();
		expect(defaults.period).toBe("hour");
		expect(Date.parse(defaults.to) - Date.parse(defaults.from)).toBeGreaterThanOrEqual(DAY);
	});
});
