// The dashboard's Knowledge page in real headless Chromium against the gateway under `wrangler dev`: a user signs
// in, makes a vector store, drops a document into it, watches it ingested, sets its attributes, searches it and
// deletes it all again (the test's tsconfig has no DOM types, so in-page code is passed as strings). Screenshots
// land in test-results/dashboard/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const SHOTS = join("test-results", "dashboard");

const BREAKERS = [
	"# Circuit breakers",
	"",
	"A channel's circuit breaker opens after five failures in a row; the relay then skips the channel until a probe succeeds.",
	"",
	'Markup in a document is text: <img src=x onerror="window.injected=1"> stays as written.',
].join("\n");
const BILLING = "Billing: every request is priced when it ends and charged once into the ledger. Top-ups raise a user's balance.";

let browser: Browser;
let page: Page;
const problems: string[] = [];
let email = "";
/** The signed-in user's key, for what the page does not offer (a store embedding with a model of one's choice). */
let userKey = "";

async function shot(name: string): Promise<void> {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Each file row's name and status, in the table's order. */
const fileRows = () =>
	page.evaluate<string[]>(
		"[...document.querySelectorAll('[data-testid=kn-files] tbody tr')].map((r) => r.querySelector('[data-testid=kn-file-name]').textContent + ' ' + r.querySelector('[data-testid=kn-file-status]').dataset.status)",
	);

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	email = `kn-${Date.now()}@example.com`;
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: email, email, password: "knowledge-pass" });
	userKey = (await adminApi<{ key: string }>("POST", "/api/tokens", { name: "knowledge key", user_id: user.id })).key;
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

describe("the dashboard's Knowledge page in Chromium", () => {
	it("signs a user in and opens Knowledge, acting as the user's own key", async () => {
		await page.goto(gatewayUrl);
		await page.locator('input[name="email"]').fill(email);
		await page.locator('input[name="password"]').fill("knowledge-pass");
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe(email);
		await page.getByRole("link", { name: "Knowledge" }).click();
		await expect.poll(() => page.getByTestId("kn-key").locator("option").allTextContents()).toEqual([expect.stringMatching(/^knowledge key \(sk-/)]);
		await expect.poll(() => page.getByText("No vector stores yet.", { exact: false }).count()).toBe(1);
	});

	it("creates a store, takes a dropped document and a chosen one, and shows them ingested to completed", async () => {
		await page.getByTestId("kn-store-name").fill("Team handbook");
		await page.getByTestId("kn-store-create").click();
		await expect.poll(() => page.locator("#kn-store-title").textContent()).toBe("Store “Team handbook”");

		// A real drop: the browser's own DataTransfer, carrying a File, dispatched on the zone.
		const dataTransfer = await page.evaluateHandle(
			`(() => { const d = new DataTransfer(); d.items.add(new File([${JSON.stringify(BREAKERS)}], "breakers.md", { type: "text/markdown" })); return d; })()`,
		);
		await page.getByTestId("kn-drop").dispatchEvent("dragover", { dataTransfer });
		expect(await page.getByTestId("kn-drop").getAttribute("class")).toBe("drop-zone over");
		await page.getByTestId("kn-drop").dispatchEvent("drop", { dataTransfer });
		await expect.poll(fileRows, { timeout: 15_000 }).toEqual(["breakers.md completed"]);

		await page.getByTestId("kn-file-input").setInputFiles({ name: "billing.txt", mimeType: "text/plain", buffer: Buffer.from(BILLING) });
		await expect.poll(fileRows, { timeout: 15_000 }).toEqual(expect.arrayContaining(["breakers.md completed", "billing.txt completed"]));
		// Nothing in progress: the page has stopped reading the files again.
		await expect.poll(() => page.getByTestId("kn-polling").getAttribute("data-polling")).toBe("false");
		const store = page.getByTestId("kn-stores").locator("tbody tr").first();
		await expect.poll(() => store.textContent()).toContain("2 of 2 ready");
		expect(await store.textContent()).toContain("Ready");
	});

	it("shows a file's stage and progress while it is being ingested, and stops once its store is deleted", async () => {
		// A store whose embedding model's only channel never answers: its file stays in the embedding stage.
		const model = `kn-stalled-${Date.now()}`;
		await adminApi("POST", "/api/channels", {
			name: model,
			type: "openai",
			base_url: `${inject("upstreamUrl")}/kn-stalled/hang/v1`,
			key: "sk-stalled-upstream",
			models: [model],
		});
		const res = await fetch(`${gatewayUrl}/v1/vector_stores`, {
			method: "POST",
			headers: { authorization: `Bearer ${userKey}`, "content-type": "application/json" },
			body: JSON.stringify({ name: "Stalled", embedding_model: model }),
		});
		const { id } = (await res.json()) as { id: string };
		await page.getByTestId("kn-refresh").click();
		await page.getByTestId(`kn-store-open-${id}`).click();
		await expect.poll(() => page.locator("#kn-store-title").textContent()).toBe("Store “Stalled”");
		await page.getByTestId("kn-file-input").setInputFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n\nStill embedding.") });
		const status = page.getByTestId("kn-file-status");
		await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Embedding\d+%$/);
		expect(await status.getAttribute("data-status")).toBe("in_progress");
		expect(await status.locator("progress").getAttribute("value")).toMatch(/^\d+$/);
		expect(await page.getByTestId("kn-polling").getAttribute("data-polling")).toBe("true");
		expect(await page.getByTestId("kn-polling").textContent()).toContain("Updating live");
		await expect.poll(() => page.getByTestId(`kn-store-${id}`).textContent()).toContain("Ingesting");
		await shot("knowledge-ingesting");
		// Gone from the page at once: nothing reads its files again (a read would be a 404, logged as a console error).
		await page.getByTestId(`kn-store-delete-${id}`).click();
		await expect.poll(() => page.locator("#kn-store-title").textContent()).toBe("Store “Team handbook”");
		expect(await page.getByTestId(`kn-store-${id}`).count()).toBe(0);
	});

	it("sets a file's attributes, and shows the API's message for attributes it refuses", async () => {
		const row = page.getByTestId("kn-files").locator("tbody tr").filter({ hasText: "breakers.md" });
		await row.getByRole("button", { name: "Attributes" }).click();
		const input = page.getByTestId("kn-attributes-input");
		// More than the API takes: its own words come back, and the dialog stays open.
		await input.fill(JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))));
		await page.getByTestId("kn-attributes-save").click();
		await expect.poll(() => page.getByTestId("kn-attributes-error").textContent()).toContain("at most 16 attributes");
		await input.fill('{"team": "reliability", "reviewed": true}');
		await page.getByTestId("kn-attributes-save").click();
		await page.getByTestId("kn-attributes").waitFor({ state: "detached" });
		await expect.poll(() => row.getByTestId("kn-file-attributes").locator("code").allTextContents()).toEqual(['team: "reliability"', "reviewed: true"]);
	});

	it("searches the store: the right file first, with its score, its attributes and the query's words marked", async () => {
		await page.getByTestId("kn-search-input").fill("when does the circuit breaker open");
		await page.getByTestId("kn-search").click();
		const first = page.getByTestId("kn-hit").first();
		await first.waitFor();
		expect(await first.getByTestId("kn-hit-file").textContent()).toBe("breakers.md");
		expect(await first.getByTestId("kn-hit-score").textContent()).toMatch(/^score (0\.\d{3}|1\.000)$/);
		expect(await first.locator("code").allTextContents()).toEqual(['team: "reliability"', "reviewed: true"]);
		const marked = (await first.locator("mark").allTextContents()).map((m) => m.toLowerCase());
		expect(marked).toEqual(expect.arrayContaining(["circuit", "breaker"]));
		// The document's markup is shown as text, never run or rendered.
		expect(await first.getByTestId("kn-hit-text").textContent()).toContain('<img src=x onerror="window.injected=1">');
		expect(await first.locator("img").count()).toBe(0);
		expect(await page.evaluate<unknown>("window.injected")).toBeUndefined();
		await shot("knowledge-store");
	});

	it("shows the page in Chinese, nothing left in English, nothing overflowing at 1440 px", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await expect.poll(() => page.locator("#kn-store-title").textContent(), { timeout: 10_000 }).toBe("向量库“Team handbook”");
		await expect.poll(fileRows).toEqual(expect.arrayContaining(["breakers.md completed", "billing.txt completed"]));
		await page.getByTestId("kn-search-input").fill("circuit breaker");
		await page.getByTestId("kn-search").click();
		await page.getByTestId("kn-hit").first().waitFor();
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
		const scrolled = await page.evaluate<number>("[...document.querySelectorAll('main .table-wrap')].filter((e) => e.scrollWidth > e.clientWidth).length");
		expect(scrolled).toBe(0);
		await shot("knowledge-store-zh");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
		await page.reload();
		await page.locator("#kn-store-title").waitFor();
	});

	it("deletes a file, then the store", async () => {
		const row = page.getByTestId("kn-files").locator("tbody tr").filter({ hasText: "breakers.md" });
		await expect.poll(() => row.count()).toBe(1);
		await row.getByRole("button", { name: "Delete" }).click();
		await expect.poll(fileRows).toEqual(["billing.txt completed"]);
		const store = page.getByTestId("kn-stores").locator("tbody tr").first();
		await expect.poll(() => store.textContent()).toContain("1 of 1 ready");
		await store.getByRole("button", { name: "Delete" }).click();
		await expect.poll(() => page.getByText("No vector stores yet.", { exact: false }).count()).toBe(1);
		expect(await page.getByTestId("kn-store-detail").count()).toBe(0);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
