// The dashboard's Memories page in real headless Chromium against the gateway under `wrangler dev`: a user signs
// in, adds memories about an end user, finds the entity and its memories, searches them, edits one and reads its
// history, and deletes one, then all (the test's tsconfig has no DOM types, so in-page code is passed as strings).
// Screenshots land in test-results/dashboard/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const SHOTS = join("test-results", "dashboard");

let browser: Browser;
let page: Page;
const problems: string[] = [];
let email = "";
const alice = `alice-${crypto.randomUUID().slice(0, 8)}`;
const MARKUP = '<img src=x onerror="window.injected=1"> is my nickname';

async function shot(name: string): Promise<void> {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The open entity's memories, as the table shows them. */
const memoryTexts = () => page.getByTestId("mem-memories").getByTestId("mem-memory-text").allTextContents();
const memoryRow = (text: string) => page.getByTestId("mem-memories").locator("tbody tr").filter({ hasText: text });

/** Opens an entity, unless it is open already (its button then says so, and is disabled). */
async function openEntity(key: string): Promise<void> {
	const button = page.getByTestId(`mem-entity-open-${key}`);
	await button.waitFor();
	if (await button.isEnabled()) await button.click();
}

async function add(type: string, entity: string, text: string): Promise<void> {
	await page.getByTestId("mem-add-type").selectOption(type);
	await page.getByTestId("mem-add-entity").fill(entity);
	await page.getByTestId("mem-add-text").fill(text);
	await page.getByTestId("mem-add").click();
	await expect.poll(() => page.getByTestId("mem-add-text").inputValue()).toBe("");
}

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	email = `mem-${Date.now()}@example.com`;
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: email, email, password: "memories-pass" });
	await adminApi("POST", "/api/tokens", { name: "memory key", user_id: user.id });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", colorScheme: "light" });
	page = await context.newPage();
	page.on("console", (m) => {
		// The refusal this test provokes on purpose (Chromium logs every 4xx answer as a console error).
		if (m.type() === "error" && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("dialog", (d) => void d.accept());
});

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard's Memories page in Chromium", () => {
	it("signs a user in and opens Memories, acting as the user's own key", async () => {
		await page.goto(gatewayUrl);
		await page.locator('input[name="email"]').fill(email);
		await page.locator('input[name="password"]').fill("memories-pass");
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe(email);
		await page.getByRole("link", { name: "Memories" }).click();
		await expect.poll(() => page.getByTestId("mem-key").locator("option").allTextContents()).toEqual([expect.stringMatching(/^memory key \(sk-/)]);
		await expect.poll(() => page.getByText("No memories yet.", { exact: false }).count()).toBe(1);
	});

	it("adds memories about an end user and an agent, and shows the entities and the open one's memories", async () => {
		for (const text of ["I am allergic to peanuts", "My favourite city is Lisbon", "I work as a marine biologist", MARKUP]) await add("user", alice, text);
		await add("agent", "travel-bot", "Prefers window seats on long flights");
		const rows = page.getByTestId("mem-entities").locator("tbody tr");
		await expect.poll(() => rows.count()).toBe(2);
		const aliceRow = page.getByTestId(`mem-entity-user:${alice}`);
		expect(await aliceRow.getByTestId("mem-entity-count").textContent()).toBe("4");
		expect(await aliceRow.textContent()).toContain("User");
		expect(await page.getByTestId("mem-entity-agent:travel-bot").textContent()).toContain("Agent");
		// The last add opened its entity.
		await expect.poll(() => page.locator("#mem-entity-title").textContent()).toBe("Agent “travel-bot”");
		await openEntity(`user:${alice}`);
		await expect.poll(() => page.locator("#mem-entity-title").textContent()).toBe(`User “${alice}”`);
		await expect
			.poll(async () => (await memoryTexts()).sort())
			.toEqual([MARKUP, "I am allergic to peanuts", "I work as a marine biologist", "My favourite city is Lisbon"].sort());
		expect(await page.getByTestId("mem-page").textContent()).toBe("Page 1 of 1 · 4 memories");
		// A memory's markup is text, never run or rendered.
		expect(await page.getByTestId("mem-memories").locator("img").count()).toBe(0);
		expect(await page.evaluate<unknown>("window.injected")).toBeUndefined();
	});

	it("searches the entity's memories: the right one first, with its score and the query's words marked", async () => {
		await page.getByTestId("mem-search-input").fill("Which city is my favourite?");
		await page.getByTestId("mem-search").click();
		const first = page.getByTestId("mem-hit").first();
		await first.waitFor();
		expect(await first.getByTestId("mem-hit-text").textContent()).toBe("My favourite city is Lisbon");
		expect(await first.getByTestId("mem-hit-score").textContent()).toMatch(/^score (0\.\d{3}|1\.000)$/);
		expect((await first.locator("mark").allTextContents()).map((m) => m.toLowerCase())).toEqual(expect.arrayContaining(["city", "favourite"]));
		// Only this entity's memories: the agent's never show up here.
		expect(await page.getByTestId("mem-hits").textContent()).not.toContain("window seats");
		await shot("memories");
	});

	it("edits a memory, shows the API's message for a text it refuses, and its history shows the change", async () => {
		await memoryRow("peanuts").getByRole("button", { name: "Edit" }).click();
		const input = page.getByTestId("mem-edit-input");
		expect(await input.inputValue()).toBe("I am allergic to peanuts");
		// Longer than the API takes: its own words come back (Mem0's `detail`), and the dialog stays open.
		await input.fill("x".repeat(70_000));
		await page.getByTestId("mem-edit-save").click();
		await expect.poll(() => page.getByTestId("mem-edit-error").textContent()).toMatch(/text/i);
		expect(await page.getByTestId("mem-edit-error").textContent()).not.toMatch(/^HTTP \d+$/);
		await input.fill("I am allergic to peanuts and shellfish");
		await page.getByTestId("mem-edit-save").click();
		await page.getByTestId("mem-edit").waitFor({ state: "detached" });
		await expect.poll(memoryTexts).toContain("I am allergic to peanuts and shellfish");

		await memoryRow("shellfish").getByRole("button", { name: "History" }).click();
		const history = page.getByTestId("mem-history-table").locator("tbody tr");
		await expect.poll(() => history.count()).toBe(2);
		const rows = await page.evaluate<string[][]>(
			"[...document.querySelectorAll('[data-testid=mem-history-table] tbody tr')].map((r) => [r.querySelector('[data-testid=mem-history-event]').dataset.event, r.querySelector('[data-testid=mem-history-old]').textContent, r.querySelector('[data-testid=mem-history-new]').textContent])",
		);
		expect(rows).toEqual([
			["ADD", "–", "I am allergic to peanuts"],
			["UPDATE", "I am allergic to peanuts", "I am allergic to peanuts and shellfish"],
		]);
		expect(await page.getByTestId("mem-history").textContent()).toContain("Changed");
		// Edited again with its history open: the history follows.
		await memoryRow("shellfish").getByRole("button", { name: "Edit" }).click();
		await page.getByTestId("mem-edit-input").fill("I am allergic to peanuts, shellfish and kiwi");
		await page.getByTestId("mem-edit-save").click();
		await expect.poll(() => history.count()).toBe(3);
		expect(await page.getByTestId("mem-history-memory").textContent()).toBe("I am allergic to peanuts, shellfish and kiwi");
		expect(await history.last().getByTestId("mem-history-old").textContent()).toBe("I am allergic to peanuts and shellfish");
		await shot("memories-history");
	});

	it("shows the page in Chinese, nothing left in English, nothing overflowing at 1440 px", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await openEntity(`user:${alice}`);
		await expect.poll(() => page.locator("#mem-entity-title").textContent()).toBe(`用户“${alice}”`);
		await expect.poll(memoryTexts).toContain("My favourite city is Lisbon");
		await page.getByTestId("mem-search-input").fill("favourite city");
		await page.getByTestId("mem-search").click();
		await page.getByTestId("mem-hit").first().waitFor();
		await memoryRow("shellfish")
			.getByTestId(/^mem-history-/)
			.click();
		await expect.poll(() => page.getByTestId("mem-history-table").locator("tbody tr").count()).toBe(3);
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
		const scrolled = await page.evaluate<number>("[...document.querySelectorAll('main .table-wrap')].filter((e) => e.scrollWidth > e.clientWidth).length");
		expect(scrolled).toBe(0);
		await shot("memories-zh");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
		await page.reload();
		await openEntity(`user:${alice}`);
		await expect.poll(() => page.locator("#mem-entity-title").textContent()).toBe(`User “${alice}”`);
	});

	it("deletes one memory, then all of the entity", async () => {
		await expect.poll(() => memoryRow("marine biologist").count()).toBe(1);
		await memoryRow("marine biologist").getByRole("button", { name: "Delete" }).click();
		await expect.poll(async () => (await memoryTexts()).length).toBe(3);
		expect(await memoryTexts()).not.toContain("I work as a marine biologist");
		await expect.poll(() => page.getByTestId(`mem-entity-user:${alice}`).getByTestId("mem-entity-count").textContent()).toBe("3");

		await page.getByTestId(`mem-entity-delete-user:${alice}`).click();
		await expect.poll(() => page.getByTestId(`mem-entity-user:${alice}`).count()).toBe(0);
		// The agent's memories stay, and its entity is the one open now.
		await expect.poll(() => page.locator("#mem-entity-title").textContent()).toBe("Agent “travel-bot”");
		await page.getByTestId("mem-entity-delete-agent:travel-bot").click();
		await expect.poll(() => page.getByText("No memories yet.", { exact: false }).count()).toBe(1);
		expect(await page.getByTestId("mem-entity-detail").count()).toBe(0);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
