import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import type { firingList, ruleView } from "../../src/routes/alert-schemas";
import { admin, uid } from "../support/gateway";

type Rule = z.infer<typeof ruleView>;
type Firings = z.infer<typeof firingList>;

const MINUTE = 60_000;
let days = 0;
/** A minute of its own for each test, days back, so that no test's rows fall in another's windows. */
const epoch = () => Math.floor((Date.now() - ++days * 86_400_000) / MINUTE) * MINUTE;

interface Row {
	model?: string;
	channel_id?: number | null;
	token_id?: number | null;
	status?: number;
	latency_ms?: number;
	ttfb_ms?: number | null;
	cost_nusd?: number;
}

async function usage(at: number, rows: Row[]): Promise<void> {
	const insert =
		env.DB.prepare(`INSERT INTO usage_logs (request_id, token_id, user_id, channel_id, endpoint, model, latency_ms, ttfb_ms, status, cost_nusd, created_at)
		VALUES (?1, ?2, 1, ?3, '/v1/chat/completions', ?4, ?5, ?6, ?7, ?8, ?9)`);
	await env.DB.batch(
		rows.map((r, i) =>
			insert.bind(
				`al-${uid()}`,
				r.token_id ?? null,
				r.channel_id ?? null,
				r.model ?? "m",
				r.latency_ms ?? 100,
				r.ttfb_ms === undefined ? 50 : r.ttfb_ms,
				r.status ?? 200,
				r.cost_nusd ?? 0,
				at - i,
			),
		),
	);
}

const times = <T>(n: number, row: T): T[] => Array.from({ length: n }, () => row);

async function rule(body: Record<string, unknown>): Promise<Rule> {
	const res = await admin("POST", "/api/alerts/rules", { name: `rule ${uid()}`, ...body });
	expect(res.status).toBe(201);
	return res.json<Rule>();
}

/** Runs the per-minute cron at `now`; returns the notifications it sent. */
async function cron(now: number): Promise<Notification[]> {
	const sent: Notification[] = [];
	const notify = {
		async sendBatch(messages: Iterable<{ body: Notification }>) {
			for (const m of messages) sent.push(m.body);
		},
		async send(body: Notification) {
			sent.push(body);
		},
	};
	await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "* * * * *" }), { ...env, NOTIFY_QUEUE: notify } as unknown as Env);
	return sent;
}

const alerts = (sent: Notification[], ruleId: number) => sent.filter((n) => n.type === "alert.fired" && n.rule_id === ruleId);

afterEach(async () => {
	const rules = await (await admin("GET", "/api/alerts/rules")).json<{ data: Rule[] }>();
	for (const r of rules.data) await admin("DELETE", `/api/alerts/rules/${r.id}`);
});

describe("alert rules", () => {
	it("fire once over a window of failing requests, then keep quiet for the cooldown", async () => {
		const t = epoch();
		const model = `m-${uid()}`;
		await usage(t, [...times(6, { model, status: 502 }), ...times(6, { model })]);
		const r = await rule({ metric: "error_rate", scope: "model", subject: model, threshold: 0.2, window_minutes: 5, min_requests: 10, cooldown_minutes: 30 });

		const first = alerts(await cron(t + 1), r.id);
		expect(first).toEqual([
			expect.objectContaining({
				type: "alert.fired",
				rule: r.name,
				metric: "error_rate",
				scope: "model",
				subject: model,
				value: 0.5,
				threshold: 0.2,
				window_minutes: 5,
				requests: 12,
			}),
		]);
		// Still failing a minute later: within the cooldown, nothing more.
		await usage(t + MINUTE, times(3, { model, status: 500 }));
		expect(alerts(await cron(t + MINUTE + 1), r.id)).toEqual([]);

		const firings = await (await admin("GET", `/api/alerts/firings?rule_id=${r.id}`)).json<Firings>();
		expect(firings.data).toEqual([expect.objectContaining({ rule_id: r.id, rule: r.name, subject: model, value: 0.5, threshold: 0.2, requests: 12 })]);

		// After the cooldown, a window still failing fires again.
		const later = t + 31 * MINUTE;
		await usage(later, times(10, { model, status: 503 }));
		expect(alerts(await cron(later + 1), r.id)).toEqual([expect.objectContaining({ subject: model, value: 1, requests: 10 })]);
	});

	it("do not judge fewer requests than min_requests, nor requests outside the window", async () => {
		const t = epoch();
		const model = `m-${uid()}`;
		await usage(t, times(5, { model, status: 500 }));
		// Failures older than the window do not count.
		await usage(t - 10 * MINUTE, times(20, { model, status: 500 }));
		const r = await rule({ metric: "error_rate", scope: "model", subject: model, threshold: 0.1, window_minutes: 5, min_requests: 10 });
		expect(alerts(await cron(t + 1), r.id)).toEqual([]);
		await usage(t + 1, times(5, { model, status: 500 }));
		expect(alerts(await cron(t + 2), r.id)).toEqual([expect.objectContaining({ value: 1, requests: 10 })]);
	});

	it("judge each channel apart when the rule names none", async () => {
		const t = epoch();
		const [bad, good] = [900_000 + days, 800_000 + days];
		await usage(t, [...times(10, { channel_id: bad, status: 500 }), ...times(10, { channel_id: good })]);
		const r = await rule({ metric: "error_rate", scope: "channel", threshold: 0.5, min_requests: 5 });
		const fired = alerts(await cron(t + 1), r.id);
		expect(fired).toEqual([expect.objectContaining({ scope: "channel", subject: String(bad), value: 1, requests: 10 })]);
	});

	it("measure an exact p95 latency per key", async () => {
		const t = epoch();
		const [slow, fast] = [700_000 + days, 600_000 + days];
		// Nearest rank: the 19th of 20 values in order, 190 ms.
		await usage(t, [
			...Array.from({ length: 20 }, (_, i) => ({ token_id: slow, latency_ms: (20 - i) * 10 })),
			...times(20, { token_id: fast, latency_ms: 20 }),
		]);
		const over = await rule({ metric: "p95_latency_ms", scope: "key", threshold: 180, min_requests: 20 });
		const at = await rule({ metric: "p95_latency_ms", scope: "key", subject: String(slow), threshold: 190, min_requests: 20 });
		const sent = await cron(t + 1);
		expect(alerts(sent, over.id)).toEqual([expect.objectContaining({ scope: "key", subject: String(slow), value: 190, requests: 20 })]);
		// Not above its threshold: equal to it.
		expect(alerts(sent, at.id)).toEqual([]);
	});

	it("measure p95 time to first byte over the requests that had one", async () => {
		const t = epoch();
		const model = `m-${uid()}`;
		await usage(t, [...Array.from({ length: 10 }, (_, i) => ({ model, ttfb_ms: (i + 1) * 100 })), ...times(30, { model, ttfb_ms: null })]);
		const r = await rule({ metric: "p95_ttfb_ms", scope: "model", subject: model, threshold: 900, min_requests: 10 });
		expect(alerts(await cron(t + 1), r.id)).toEqual([expect.objectContaining({ value: 1000, requests: 10 })]);
	});

	it("sum spend over the window for the whole gateway", async () => {
		const t = epoch();
		await usage(t, times(3, { cost_nusd: 2_000_000_000 }));
		const r = await rule({ metric: "spend_usd", threshold: 5, window_minutes: 10 });
		expect(alerts(await cron(t + 1), r.id)).toEqual([expect.objectContaining({ scope: "all", subject: "", value: 6, requests: 3 })]);
	});

	it("are managed by the operator: create, read, change, delete; a gateway-wide rule has no subject", async () => {
		const r = await rule({ metric: "spend_usd", threshold: 10 });
		expect(r).toMatchObject({ scope: "all", subject: null, window_minutes: 5, min_requests: 10, cooldown_minutes: 60, enabled: true });
		expect((await admin("POST", "/api/alerts/rules", { name: "x", metric: "spend_usd", threshold: 1, subject: "m" })).status).toBe(400);
		expect((await admin("POST", "/api/alerts/rules", { name: "x", metric: "latency", threshold: 1 })).status).toBe(400);
		const patched = await admin("PATCH", `/api/alerts/rules/${r.id}`, { scope: "model", subject: "gpt-x", enabled: false });
		expect(await patched.json<Rule>()).toMatchObject({ id: r.id, scope: "model", subject: "gpt-x", enabled: false, threshold: 10 });
		expect((await admin("PATCH", `/api/alerts/rules/${r.id}`, { scope: "all", subject: "gpt-x" })).status).toBe(400);
		expect(await (await admin("PATCH", `/api/alerts/rules/${r.id}`, { scope: "all" })).json<Rule>()).toMatchObject({ scope: "all", subject: null });
		expect((await admin("GET", `/api/alerts/rules/${r.id}`)).status).toBe(200);
		expect((await admin("DELETE", `/api/alerts/rules/${r.id}`)).status).toBe(204);
		expect((await admin("GET", `/api/alerts/rules/${r.id}`)).status).toBe(404);
	});

	it("skip a disabled rule", async () => {
		const t = epoch();
		const model = `m-${uid()}`;
		await usage(t, times(10, { model, status: 500 }));
		const r = await rule({ metric: "error_rate", scope: "model", subject: model, threshold: 0.1, enabled: false });
		expect(alerts(await cron(t + 1), r.id)).toEqual([]);
	});
});
