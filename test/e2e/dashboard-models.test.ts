// The dashboard's Models page in real headless Chromium against the gateway under `wrangler dev`: the operator
// creates an alias with a fallback chain, edits its policy to consistent hashing (each as the API then says), sees a
// refusal explained, reads the page in Chinese, and deletes the alias.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApi } from "./admin-api";
import { signInAsOperator } from "./dashboard-page";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);
const alias = `smart-${tag}`;
const first = `first-${tag}`;
const second = `second-${tag}`;

let browser: Browser;
let page: Page;
const problems: string[] = [];

interface Route {
	name: string;
	chain: string[];
	policy: string;
	hash_on: string | null;
}

const routeOf = async (name: string) => (await adminApi<{ data: Route[] }>("GET", "/api/models")).data.find((r) => r.name === name);

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", colorScheme: "light" });
	page = await context.newPage();
	page.on("console", (m) => {
		// The refused chain is a 400 the browser logs; the page shows it (asserted below).
		if (m.type() === "error" && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("dialog", (d) => void d.accept());
});

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard's Models page in Chromium", () => {
	it("creates an alias with its fallback chain", async () => {
		await signInAsOperator(page);
		await page.getByRole("link", { name: "Models" }).click();
		await page.getByTestId("route-new").click();
		await page.getByTestId("route-name").fill(alias);
		await page.getByTestId("route-chain").fill(`${first}\n${second}`);
		await page.getByTestId("route-policy").selectOption("least_errors");
		await page.getByTestId("route-save").click();
		await page.getByTestId("route-dialog").waitFor({ state: "detached" });
		const row = page.getByTestId(`route-row-${alias}`);
		await expect.poll(() => row.textContent()).toContain(`${first} → ${second}`);
		expect(await row.textContent()).toContain("Least errors");
		expect(await routeOf(alias)).toMatchObject({ chain: [first, second], policy: "least_errors", hash_on: null });
		await page.screenshot({ path: join(SHOTS, "models.png"), fullPage: true });
	});

	it("edits its policy to consistent hashing on the API key", async () => {
		await page.getByTestId(`route-row-${alias}`).getByTestId("route-edit").click();
		expect(await page.getByTestId("route-chain").inputValue()).toBe(`${first}\n${second}`);
		expect(await page.getByTestId("route-name").isDisabled()).toBe(true);
		await page.getByTestId("route-policy").selectOption("consistent_hash");
		await page.getByTestId("route-hash-on").selectOption("key");
		await page.getByTestId("route-save").click();
		await page.getByTestId("route-dialog").waitFor({ state: "detached" });
		await expect.poll(() => page.getByTestId(`route-row-${alias}`).textContent()).toContain("Consistent hash (API key)");
		expect(await routeOf(alias)).toMatchObject({ policy: "consistent_hash", hash_on: "key" });
	});

	it("shows the API's refusal of a chain that names the alias itself", async () => {
		await page.getByTestId(`route-row-${alias}`).getByTestId("route-edit").click();
		await page.getByTestId("route-chain").fill(`${alias}\n${second}`);
		await page.getByTestId("route-save").click();
		await expect.poll(() => page.getByTestId("route-dialog-error").textContent()).toContain("may not name itself");
		await page.keyboard.press("Escape");
		await page.getByTestId("route-dialog").waitFor({ state: "detached" });
	});

	it("shows the page in Chinese, nothing left in English", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await page.getByTestId(`route-row-${alias}`).getByTestId("route-edit").click();
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
		await page.keyboard.press("Escape");
		await page.getByTestId("route-dialog").waitFor({ state: "detached" });
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
		await page.reload();
	});

	it("deletes the alias", async () => {
		await page.getByTestId(`route-row-${alias}`).getByTestId("route-delete").click();
		await expect.poll(() => page.getByTestId(`route-row-${alias}`).count()).toBe(0);
		expect(await routeOf(alias)).toBeUndefined();
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
