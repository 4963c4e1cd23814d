// The Channels page's probe history in real headless Chromium against the gateway under `wrangler dev`: the per-minute
// cron (run on demand through /__scheduled) probes a healthy and a failing channel, and the operator reads each
// channel's probes, outcome, status, latency and error, in English and in Chinese.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { openDashboard, signInAsOperator } from "./dashboard-page";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");
const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);

let browser: Browser;
let page: Page;
const problems: string[] = [];
let healthy: number;
let failing: number;

interface Probe {
	ok: boolean;
	status: number | null;
}

const probesOf = async (id: number) => (await adminApi<{ data: Probe[] }>("GET", `/api/channels/${id}/probes`)).data;

/** Runs the per-minute cron until both channels have been probed: each run probes a bounded number of channels. */
async function probeBoth(): Promise<void> {
	for (let run = 0; run < 20; run++) {
		const res = await fetch(`${gatewayUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
		await res.body?.cancel();
		if ((await probesOf(healthy)).length > 0 && (await probesOf(failing)).length > 0) return;
	}
	throw new Error("the cron never probed both channels");
}

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	const channel = (name: string, scenario: string) =>
		adminApi<{ id: number }>("POST", "/api/channels", {
			name: `${name}-${tag}`,
			type: "openai",
			base_url: `${upstreamUrl}/${tag}/${scenario}/v1`,
			models: [`probe-${tag}`],
		});
	healthy = (await channel("probed-ok", "ok")).id;
	failing = (await channel("probed-down", "status-502")).id;
	({ browser, page } = await openDashboard(problems));
});

afterAll(async () => {
	await browser?.close();
	for (const id of [healthy, failing]) if (id) await adminApi("DELETE", `/api/channels/${id}`).catch(() => undefined);
});

describe("the Channels page's probe history in Chromium", () => {
	it("shows a channel's probes once the cron has run", async () => {
		await probeBoth();
		expect((await probesOf(failing))[0]).toMatchObject({ ok: false, status: 502 });

		await signInAsOperator(page);
		await page.getByRole("link", { name: "Channels" }).click();

		await page.getByTestId(`channel-probes-${failing}`).click();
		const dialog = page.getByTestId("channel-probes");
		await expect.poll(() => dialog.getByTestId("probe-outcome").first().textContent(), { timeout: 10_000 }).toBe("Failed");
		const row = dialog.locator("tbody tr").first();
		const text = await row.textContent();
		expect(text).toContain("502");
		expect(text).toContain("Models list");
		expect(text).toMatch(/\d+ ms/);
		// The mock upstream's error quotes a key-like string: the page shows the message, never the key.
		expect(text).toContain("Incorrect API key provided");
		expect(text).not.toMatch(/sk-live-x{20}/);
		await page.screenshot({ path: join(SHOTS, "channel-probes.png"), fullPage: true });
		await page.getByTestId("channel-probes-close").click();
		await dialog.waitFor({ state: "detached" });

		await page.getByTestId(`channel-probes-${healthy}`).click();
		await expect.poll(() => page.getByTestId("channel-probes").getByTestId("probe-outcome").first().textContent(), { timeout: 10_000 }).toBe("OK");
		expect(await page.getByTestId("channel-probes").locator("tbody tr").first().textContent()).toContain("200");
		await page.keyboard.press("Escape");
		await page.getByTestId("channel-probes").waitFor({ state: "detached" });
	});

	it("shows the probe history in Chinese, nothing left in English", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await page.getByTestId(`channel-probes-${failing}`).click();
		await expect.poll(() => page.getByTestId("channel-probes").getByTestId("probe-outcome").first().textContent(), { timeout: 10_000 }).toBe("失败");
		const english = englishDetector(stringsTables());
		const shown = await page.evaluate<string[]>(VISIBLE_TEXTS);
		// The upstream's own error message is the upstream's words, not the dashboard's.
		const untranslated = shown.filter((s) => !s.includes("Incorrect API key")).flatMap((s) => english(s) ?? []);
		expect(untranslated).toEqual([]);
		await page.keyboard.press("Escape");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
