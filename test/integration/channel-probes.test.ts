import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Notification } from "../../queues/notify-message";
import { operations } from "../../src/rollups/operations";
import { admin, chat, createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

const MINUTE = 60_000;

/** The per-minute cron at `at`, with notifications caught instead of queued, and the probe vars given. */
function cron(vars: Record<string, string> = {}) {
	const sent: Notification[] = [];
	const notifyQueue = {
		send: async (body: Notification) => {
			sent.push(body);
		},
	};
	const probeEnv = { ...env, CHANNEL_PROBE_INTERVAL_MINUTES: "5", CHANNEL_PROBE_FAILURES_TO_DISABLE: "3", ...vars, NOTIFY_QUEUE: notifyQueue };
	const run = (at: number) => operations(createScheduledController({ cron: "* * * * *", scheduledTime: at }), probeEnv as unknown as Env);
	return { run, sent };
}

interface Probe {
	kind: string;
	ok: boolean;
	status: number | null;
	error: string | null;
	input_tokens: number;
	output_tokens: number;
	cost_usd: number;
	created_at: string;
}

async function probes(channelId: number): Promise<Probe[]> {
	const res = await admin("GET", `/api/channels/${channelId}/probes`);
	expect(res.status).toBe(200);
	return ((await res.json()) as { data: Probe[] }).data;
}

async function health(channelId: number): Promise<{ state: string; disabled_reason: string | null }> {
	return (await admin("GET", `/api/channels/${channelId}/health`)).json();
}

const forChannel = (sent: Notification[], id: number) => sent.filter((n) => "channel_id" in n && n.channel_id === id);

describe("active health checks", () => {
	it("disable a channel after failures in a row, notified, and enable it again on the first success", async () => {
		const tag = uid();
		const model = `model-${uid()}`;
		const { id } = await createChannel({ base_url: upstream(tag, "status-500"), models: [model] });
		const { key } = await createKey();
		const { run, sent } = cron();
		const t = Date.now();

		await run(t);
		await run(t + 5 * MINUTE);
		expect((await health(id)).state).toBe("closed");
		expect(forChannel(sent, id)).toEqual([]);
		await run(t + 10 * MINUTE);

		const history = await probes(id);
		expect(history.map((p) => [p.kind, p.ok, p.status])).toEqual([
			["models", false, 500],
			["models", false, 500],
			["models", false, 500],
		]);
		// The upstream's error says "Incorrect API key provided: sk-live-…": the key-like text never reaches the row.
		expect(history[0]?.error).not.toMatch(/sk-live-x{20}/);
		const disabled = await health(id);
		expect(disabled.state).toBe("disabled");
		expect(disabled.disabled_reason).toMatch(/3 health probes failed in a row/);
		expect(forChannel(sent, id)).toEqual([expect.objectContaining({ type: "channel.disabled", channel_id: id, state: "disabled" })]);
		// The relay no longer sends to it.
		expect((await chat(key, { model, messages: [{ role: "user", content: "hi" }] })).status).toBe(503);
		expect((await upstreamLog(tag)).filter((r) => r.path.endsWith("/chat/completions"))).toEqual([]);

		// Still failing: still disabled, and announced only once.
		await run(t + 15 * MINUTE);
		expect(forChannel(sent, id)).toHaveLength(1);

		// The upstream comes back: the next probe enables the channel.
		expect((await admin("PATCH", `/api/channels/${id}`, { base_url: upstream(tag, "ok") })).status).toBe(200);
		await run(t + 20 * MINUTE);
		expect((await health(id)).state).toBe("closed");
		expect(forChannel(sent, id).map((n) => n.type)).toEqual(["channel.disabled", "channel.recovered"]);
		expect((await probes(id))[0]).toMatchObject({ kind: "models", ok: true, status: 200, error: null });
		expect((await chat(key, { model, messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
	});

	it("respect the interval, and are off at 0", async () => {
		const tag = uid();
		const { id } = await createChannel({ base_url: upstream(tag, "ok"), models: [`model-${uid()}`] });
		const { run } = cron();
		const t = Date.now();
		await run(t);
		await run(t + 1 * MINUTE);
		await run(t + 4 * MINUTE);
		expect(await probes(id)).toHaveLength(1);
		await run(t + 5 * MINUTE);
		expect(await probes(id)).toHaveLength(2);
		expect((await upstreamLog(tag)).map((r) => r.path)).toEqual([`/${tag}/ok/v1/models`, `/${tag}/ok/v1/models`]);

		const off = cron({ CHANNEL_PROBE_INTERVAL_MINUTES: "0" });
		await off.run(t + 60 * MINUTE);
		expect(await probes(id)).toHaveLength(2);
	});

	it("never probe nor enable a channel an operator disabled", async () => {
		const tag = uid();
		const { id } = await createChannel({ base_url: upstream(tag, "status-503"), models: [`model-${uid()}`] });
		const { run, sent } = cron({ CHANNEL_PROBE_FAILURES_TO_DISABLE: "1" });
		const t = Date.now();
		await run(t);
		expect((await health(id)).state).toBe("disabled");

		// The operator disables it, then the upstream comes back: nothing probes it, nothing turns it on.
		expect((await admin("PATCH", `/api/channels/${id}`, { status: "disabled", base_url: upstream(tag, "ok") })).status).toBe(200);
		await run(t + 5 * MINUTE);
		await run(t + 10 * MINUTE);
		expect(await probes(id)).toHaveLength(1);
		expect((await upstreamLog(tag)).map((r) => r.scenario)).toEqual(["status-503"]);
		expect((await health(id)).state).toBe("disabled");
		expect((await admin("GET", `/api/channels/${id}`)).status).toBe(200);
		expect(((await (await admin("GET", `/api/channels/${id}`)).json()) as { status: string }).status).toBe("disabled");
		expect(forChannel(sent, id).map((n) => n.type)).toEqual(["channel.disabled"]);

		// Created disabled: never probed at all.
		const other = await createChannel({ base_url: upstream(tag, "ok"), models: [`model-${uid()}`], status: "disabled" });
		await run(t + 15 * MINUTE);
		expect(await probes(other.id)).toEqual([]);
	});

	it("read each type's own models list, with its own credentials", async () => {
		const tag = uid();
		const base = upstream(tag, "ok");
		const openai = await createChannel({ base_url: base, key: "sk-openai-probe", models: [`model-${uid()}`] });
		const anthropic = await createChannel({ type: "anthropic", base_url: base, key: "sk-ant-probe", models: [`model-${uid()}`] });
		const gemini = await createChannel({ type: "gemini", base_url: base, key: "gm-probe", models: [`model-${uid()}`] });
		const { run } = cron();
		await run(Date.now());
		for (const { id } of [openai, anthropic, gemini]) expect((await probes(id))[0]).toMatchObject({ kind: "models", ok: true, status: 200, cost_usd: 0 });
		const seen = (await upstreamLog(tag)).map((r) => ({ path: r.path, authorization: r.authorization, ...r.headers }));
		expect(seen).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ path: `/${tag}/ok/v1/models`, authorization: "Bearer sk-openai-probe" }),
				expect.objectContaining({ path: `/${tag}/ok/v1/models`, "x-api-key": "sk-ant-probe", "anthropic-version": "2023-06-01" }),
				expect.objectContaining({ path: `/${tag}/ok/v1/models`, "x-goog-api-key": "gm-probe" }),
			]),
		);
		expect(seen).toHaveLength(3);
	});

	it("meter a one-token probe of a type without a models list with the price book", async () => {
		const model = `model-${uid()}`;
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1000, output_usd_per_mtok: 2000 })).status).toBe(200);
		const { id } = await createChannel({ type: "mock", models: [model] });
		const { run } = cron();
		await run(Date.now());
		const [probe] = await probes(id);
		expect(probe).toMatchObject({ kind: "completion", ok: true, status: 200, output_tokens: 1 });
		expect(probe?.input_tokens).toBeGreaterThan(0);
		expect(probe?.cost_usd).toBeCloseTo(((probe?.input_tokens ?? 0) * 1000 + 2000) / 1e6, 9);
	});
});
