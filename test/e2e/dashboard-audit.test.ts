// The dashboard's Audit page in real headless Chromium against the gateway under `wrangler dev`: the operator sees
// the entry of a change just made, filters, loads more and exports the CSV; a user signed in with a password sees
// their own sign-in and nothing of anyone else's; the page reads in Chinese; no console error.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { signInAsOperator } from "./dashboard-page";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);

let browser: Browser;
let page: Page;
const problems: string[] = [];

function watch(p: Page): void {
	p.on("console", (m) => {
		if (m.type() === "error") problems.push(`console: ${m.text()}`);
	});
	p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
}

/**
 * The audit rows' texts once the filters are applied; entries arrive through a queue, so the page is refreshed until
 * they show, every half second. Until they do the page may show its empty state instead of a table: the rows are
 * read as they are (none), never waited for, so the next refresh can still come.
 */
async function rowsAfterRefresh(p: Page, expected: string): Promise<string[]> {
	let texts: string[] = [];
	await expect
		.poll(
			async () => {
				await p.getByTestId("audit-refresh").click();
				texts = await p.getByTestId("audit-row").allTextContents();
				return texts.some((t) => t.includes(expected));
			},
			{ timeout: 10_000, interval: 500 },
		)
		.toBe(true);
	return texts;
}

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", colorScheme: "light", acceptDownloads: true });
	page = await context.newPage();
	watch(page);
});

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard's Audit page in Chromium", () => {
	it("shows the operator the entry of a change just made, filtered by action and object", async () => {
		await signInAsOperator(page);
		const group = `audit-${tag}`;
		await adminApi("PUT", `/api/groups/${group}`, { price_multiplier: 1.25 });

		await page.getByRole("link", { name: "Audit" }).click();
		await page.getByTestId("audit-filter-action").fill("group.*");
		await page.getByTestId("audit-filter-object-id").fill(group);
		await page.getByTestId("audit-filter-apply").click();
		const rows = await rowsAfterRefresh(page, group);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toContain("group.update");
		expect(rows[0]).toContain("Operator");
		expect(rows[0]).toContain('"price_multiplier":1.25');
		await page.screenshot({ path: join(SHOTS, "audit.png"), fullPage: true });
	});

	it("loads more entries, and exports what the filters match as CSV", async () => {
		// More changes than a page holds (50).
		for (let i = 0; i < 55; i += 11) {
			await Promise.all(Array.from({ length: 11 }, (_, j) => adminApi("PUT", `/api/groups/audit-${tag}-${i + j}`, { price_multiplier: 2 })));
		}
		await page.getByTestId("audit-filter-clear").click();
		await page.getByTestId("audit-filter-action").fill("group.update");
		await page.getByTestId("audit-filter-apply").click();
		await rowsAfterRefresh(page, `audit-${tag}-54`);
		await expect
			.poll(
				async () => {
					await page.getByTestId("audit-refresh").click();
					await page.getByTestId("audit-table").waitFor();
					return page.getByTestId("audit-row").count();
				},
				{ timeout: 10_000 },
			)
			.toBe(50);
		await page.getByTestId("audit-more").click();
		await expect.poll(() => page.getByTestId("audit-row").count(), { timeout: 10_000 }).toBeGreaterThan(50);

		const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("audit-export").click()]);
		expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
		const csv = readFileSync(await download.path(), "utf8");
		const lines = csv.trimEnd().split("\r\n");
		expect(lines[0]).toBe("id,at,actor_type,actor_id,user_id,action,object_type,object_id,diff,result,ip,user_agent,request_id");
		expect(lines.length).toBeGreaterThan(51);
		expect(lines.slice(1).every((l) => l.includes(",group.update,group,"))).toBe(true);
	});

	it("shows a user their own sign-in and none of anyone else's entries", async () => {
		const email = `audit-${tag}@example.com`;
		const user = await adminApi<{ id: number }>("POST", "/api/users", { name: email, email, password: "audit-pass" });
		const userPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
		watch(userPage);
		await userPage.goto(gatewayUrl);
		await userPage.locator('input[name="email"]').fill(email);
		await userPage.locator('input[name="password"]').fill("audit-pass");
		await userPage.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => userPage.getByTestId("who").textContent(), { timeout: 10_000 }).toBe(email);
		await userPage.getByRole("link", { name: "Audit" }).click();
		expect(await userPage.getByTestId("audit-filter-user").count()).toBe(0);
		const rows = await rowsAfterRefresh(userPage, "auth.login");
		expect(rows.some((r) => r.includes("group.update"))).toBe(false);
		// Their creation by the operator is about them; their sign-in is theirs.
		expect(rows.some((r) => r.includes(`user ${user.id}`))).toBe(true);
		await userPage.close();
	});

	it("shows the page in Chinese, nothing left in English", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await page.getByTestId("audit-table").waitFor();
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
	});

	it("fits a phone-width screen", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await page.reload();
		await page.getByTestId("audit-table").waitFor();
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(1);
		await page.setViewportSize({ width: 1440, height: 900 });
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
