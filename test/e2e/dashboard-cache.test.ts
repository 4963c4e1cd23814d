// The response cache on the dashboard, in real headless Chromium against the gateway under `wrangler dev`: the
// operator turns a key's cache on in the Keys page's form and sees it in the key's row; with usage rows seeded as
// cache hits, the Overview's Response cache panel shows that key's and that model's hit rate and savings, and the
// Usage page marks the hits; the panel reads in Chinese; no console error.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { wrangler } from "../../scripts/local-state.mjs";
import { adminApi } from "./admin-api";
import { openDashboard, signInAsOperator } from "./dashboard-page";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);
const model = `cached-${tag}`;

let browser: Browser;
let page: Page;
let keyId = 0;
const problems: string[] = [];

/** Four requests of the key in the last minutes, three answered by the cache (no API writes usage rows). */
function seedUsage(): void {
	const now = Date.now();
	const rows = [
		{ hit: "'exact'", cost: 4_000_000, saved: 0 },
		{ hit: "'exact'", cost: 0, saved: 4_000_000 },
		{ hit: "'semantic'", cost: 0, saved: 4_000_000 },
		{ hit: "'exact'", cost: 0, saved: 2_000_000 },
	].map(
		(r, i) =>
			`INSERT INTO usage_logs (request_id, token_id, user_id, endpoint, model, prompt_tokens, completion_tokens, cost_nusd, latency_ms, status, created_at, cache_hit, saved_nusd)
			VALUES ('cache-${tag}-${i}', ${keyId}, 1, '/v1/chat/completions', '${model}', 10, 5, ${r.cost}, 3, 200, ${now - (4 - i) * 60_000}, ${i === 0 ? "NULL" : r.hit}, ${r.saved})`,
	);
	wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("statePath"), "--command", rows.join("; ")], { capture: true });
}

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	({ browser, page } = await openDashboard(problems));
	keyId = (await adminApi<{ id: number }>("POST", "/api/tokens", { name: `cache-${tag}` })).id;
});

afterAll(async () => {
	await browser?.close();
});

describe("the response cache on the dashboard", () => {
	it("turns a key's cache on from the Keys page and shows it in the key's row", async () => {
		await signInAsOperator(page);

		await page.getByRole("link", { name: "Keys" }).click();
		await page.getByTestId(`key-edit-${keyId}`).click();
		await page.getByTestId("key-cache-mode").selectOption("semantic");
		await page.getByTestId("key-cache-ttl").fill("600");
		await page.getByTestId("key-cache-threshold").fill("0.9");
		await page.getByTestId("key-save").click();
		await expect.poll(() => page.getByTestId(`key-cache-${keyId}`).textContent(), { timeout: 10_000 }).toBe("Cache: semantic ≥ 0.9, 10 min");
		const key = await adminApi<{ cache: unknown }>("GET", `/api/tokens/${keyId}`);
		expect(key.cache).toEqual({ mode: "semantic", ttl_seconds: 600, threshold: 0.9, semantic_any: false });

		// Back to exact: the threshold field goes, the TTL stays.
		await page.getByTestId(`key-edit-${keyId}`).click();
		await page.getByTestId("key-cache-mode").selectOption("exact");
		expect(await page.getByTestId("key-cache-threshold").count()).toBe(0);
		await page.getByTestId("key-save").click();
		await expect.poll(() => page.getByTestId(`key-cache-${keyId}`).textContent(), { timeout: 10_000 }).toBe("Cache: exact, 10 min");
	});

	it("shows the key's and the model's hit rate and savings in the Overview's Response cache panel", async () => {
		seedUsage();
		await page.getByRole("link", { name: "Overview" }).click();
		// The operator's Overview recomputes the rollups of the current hour and day as it loads.
		const keyRow = page.getByTestId(`cache-keys-${keyId}`);
		await expect
			.poll(
				async () => {
					await page.getByTestId("overview-refresh").click();
					await page.getByTestId("cache-panel").waitFor();
					return keyRow.count();
				},
				{ timeout: 15_000 },
			)
			.toBe(1);
		const cells = await keyRow.locator("td").allTextContents();
		expect(cells).toEqual([`cache-${tag}`, "4", "3", "75%", "$0.01"]);
		expect(await page.getByTestId(`cache-models-${model}`).locator("td").allTextContents()).toEqual([model, "4", "3", "75%", "$0.01"]);
		await page.getByTestId("cache-panel").screenshot({ path: join(SHOTS, "cache-panel.png") });
	});

	it("marks the hits in the Usage page", async () => {
		await page.getByRole("link", { name: "Usage" }).click();
		await page.getByTestId("filter-model").fill(model);
		await page.getByTestId("filter-apply").click();
		const hits = page.getByTestId("usage-row").filter({ hasText: model }).getByTestId("usage-cache-hit");
		await expect.poll(() => hits.count(), { timeout: 10_000 }).toBe(3);
		expect(await hits.first().textContent()).toContain("saved $0.002");
	});

	it("shows the panel in Chinese, nothing left in English", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.goto(gatewayUrl);
		await page.getByTestId("cache-panel").waitFor();
		const english = englishDetector(stringsTables());
		const texts = await page.getByTestId("cache-panel").evaluate((el) => [...el.querySelectorAll("h2, h3, p, th")].map((e) => e.textContent ?? ""));
		expect(texts.flatMap((text) => english(text) ?? [])).toEqual([]);
		expect(await page.evaluate<string[]>(VISIBLE_TEXTS)).toContain("响应缓存");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
