// The dashboard's Jobs page in real headless Chromium against the gateway under `wrangler dev`: the operator sees
// each queue's last hour, pauses and resumes a consumer (as the API then says), replays one dead job and discards
// another (kept, marked), and reads the page in Chinese.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { wrangler } from "../../scripts/local-state.mjs";
import { adminApi } from "./admin-api";
import { openDashboard, signInAsOperator } from "./dashboard-page";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);

let browser: Browser;
let page: Page;
const problems: string[] = [];

interface QueueState {
	queue: string;
	paused: boolean;
	last_hour: { acked: number; retried: number };
}
interface DeadJob {
	id: number;
	message_id: string;
	replayed_at: string | null;
	discarded_at: string | null;
}

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;
const queueOf = async (name: string) => (await adminApi<{ data: QueueState[] }>("GET", "/api/jobs")).data.find((q) => q.queue === name);
const deadOf = async (messageId: string) => (await adminApi<{ data: DeadJob[] }>("GET", "/api/jobs/dead")).data.find((j) => j.message_id === messageId);

/** Two dead usage messages and a minute of counts, as the consumers would have left them (no API writes these). */
function seed(): void {
	const record = (id: string) => ({
		request_id: id,
		client_request_id: null,
		token_id: null,
		user_id: 1,
		channel_id: null,
		endpoint: "/v1/chat/completions",
		model: "mock-chat",
		upstream_model: "mock-chat",
		prompt_tokens: 1,
		completion_tokens: 1,
		cached_tokens: 0,
		cost_nusd: 0,
		price_id: null,
		latency_ms: 5,
		ttfb_ms: 2,
		stream: false,
		attempts: 1,
		status: 200,
		error_code: null,
		estimated: false,
		partial: false,
		created_at: Date.now(),
	});
	const dead = (messageId: string) =>
		`INSERT INTO dead_jobs (queue, message_id, body, attempts, error) VALUES ('edge-gateway-usage', ${sql(messageId)}, ${sql(JSON.stringify({ records: [record(`e2e-${messageId}`)] }))}, 5, 'exhausted its retries on the origin queue')`;
	const minute = Math.floor(Date.now() / 60_000);
	const statements = [
		dead(`replay-${tag}`),
		dead(`discard-${tag}`),
		`INSERT INTO queue_stats (queue, minute, outcome, count) VALUES ('memory', ${minute}, 'retried', 3) ON CONFLICT DO UPDATE SET count = count + 3`,
	];
	wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("statePath"), "--command", statements.join("; ")], { capture: true });
}

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	seed();
	({ browser, page } = await openDashboard(problems));
	page.on("dialog", (d) => void d.accept());
});

afterAll(async () => {
	await adminApi("POST", "/api/jobs/ingest/resume").catch(() => undefined);
	await browser?.close();
});

describe("the dashboard's Jobs page in Chromium", () => {
	it("shows every queue with its last hour", async () => {
		await signInAsOperator(page);
		await page.getByRole("link", { name: "Jobs" }).click();
		for (const q of ["usage", "notify", "ingest", "memory", "batch"]) await page.getByTestId(`queue-row-${q}`).waitFor();
		const memory = page.getByTestId("queue-row-memory");
		expect(await memory.textContent()).toContain("Memory extraction");
		const retried = (await queueOf("memory"))?.last_hour.retried ?? 0;
		expect(retried).toBeGreaterThanOrEqual(3);
		expect(await memory.locator("td").nth(3).textContent()).toBe(String(retried));
		await page.getByTestId("jobs-chart").waitFor();
	});

	it("pauses and resumes a consumer", async () => {
		const row = page.getByTestId("queue-row-ingest");
		expect(await row.getByTestId("queue-state").textContent()).toBe("running");
		await row.getByTestId("queue-pause").click();
		await expect.poll(() => row.getByTestId("queue-state").textContent(), { timeout: 10_000 }).toBe("paused");
		expect((await queueOf("ingest"))?.paused).toBe(true);
		await page.screenshot({ path: join(SHOTS, "jobs.png"), fullPage: true });
		await row.getByTestId("queue-resume").click();
		await expect.poll(() => row.getByTestId("queue-state").textContent(), { timeout: 10_000 }).toBe("running");
		expect((await queueOf("ingest"))?.paused).toBe(false);
	});

	it("replays one dead job and discards another", async () => {
		const replayed = await deadOf(`replay-${tag}`);
		const discarded = await deadOf(`discard-${tag}`);
		if (!replayed || !discarded) throw new Error("the seeded dead jobs are missing");
		const replayRow = page.getByTestId(`dead-row-${replayed.id}`);
		await replayRow.getByTestId("dead-replay").click();
		await expect.poll(() => replayRow.getByTestId("dead-status").textContent(), { timeout: 10_000 }).toBe("replayed");
		expect((await deadOf(`replay-${tag}`))?.replayed_at).not.toBeNull();

		const discardRow = page.getByTestId(`dead-row-${discarded.id}`);
		await discardRow.getByTestId("dead-discard").click();
		await expect.poll(() => discardRow.getByTestId("dead-status").textContent(), { timeout: 10_000 }).toBe("discarded");
		expect(await deadOf(`discard-${tag}`)).toMatchObject({ replayed_at: null, discarded_at: expect.any(String) });
		expect(await discardRow.getByTestId("dead-replay").count()).toBe(0);
	});

	it("shows the page in Chinese, nothing left in English", async () => {
		await adminApi("POST", "/api/jobs/ingest/pause");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await page.getByTestId("queue-row-usage").waitFor();
		await page.getByTestId("dead-table").waitFor();
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
		await adminApi("POST", "/api/jobs/ingest/resume");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
	});

	it("fits a phone-width screen", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await page.reload();
		await page.getByTestId("queue-row-usage").waitFor();
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(1);
		await page.screenshot({ path: join(SHOTS, "phone-jobs.png"), fullPage: true });
		await page.setViewportSize({ width: 1440, height: 900 });
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
