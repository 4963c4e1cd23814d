import { type Browser, chromium, type Page } from "playwright-core";
import { expect, inject } from "vitest";

/**
 * Headless Chromium with one page at a desktop size, in English and the light theme, as the dashboard tests start
 * it: every console error and uncaught exception the page reports is pushed onto `problems`, which a test asserts
 * empty at its end.
 */
export async function openDashboard(problems: string[]): Promise<{ browser: Browser; page: Page }> {
	const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", colorScheme: "light" });
	const page = await context.newPage();
	page.on("console", (m) => {
		if (m.type() === "error") problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	return { browser, page };
}

/** Opens the dashboard and signs in with the admin token, as an operator does: done once the header says "operator". */
export async function signInAsOperator(page: Page): Promise<void> {
	await page.goto(inject("gatewayUrl"));
	await page.getByRole("tab", { name: "Admin token" }).click();
	await page.locator('input[name="token"]').fill(inject("adminToken"));
	await page.getByRole("button", { name: "Sign in" }).click();
	await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe("operator");
}
