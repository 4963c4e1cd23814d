// The dashboard's Chat page in real headless Chromium against the gateway under `wrangler dev`: a user finds a
// conversation (listed, then searched by a word of a message), reads its thread with the turn's cost, a tool call
// and a citation's source chunk, renames it, likes the answer, starts a conversation and carries it on through
// /v1/responses (streamed, then stored), deletes it; another user sees none of it. Screenshots land in test-results/dashboard/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { wrangler } from "../../scripts/local-state.mjs";
import { adminApi } from "./admin-api";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const SHOTS = join("test-results", "dashboard");
const tag = crypto.randomUUID().slice(0, 8);
const conversationId = `conv_e2e${tag}`;
const turnId = `resp_e2e${tag}`;

let browser: Browser;
let page: Page;
const problems: string[] = [];
const alice = { email: `chat-a-${tag}@example.com`, password: "chat-pass-a" };
const bob = { email: `chat-b-${tag}@example.com`, password: "chat-pass-b" };
let aliceId = 0;
let bobId = 0;

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;
const item = (id: string, type: string, role: string | null, body: Record<string, unknown>) => ({
	id,
	type,
	role,
	json: { id, type, status: "completed", ...(role === null ? {} : { role }), ...body },
});

/**
 * A conversation with one turn (a tool call, a cited source, tokens and cost), written as the stateful Responses
 * and Dify routes write them: no API of the gateway makes such a turn on this branch yet, so it goes in as rows.
 */
function seed(userId: number, keyId: number): void {
	const items = [
		item(`msg_u${tag}`, "message", "user", { content: [{ type: "input_text", text: "How many vacation days do I get this year?" }] }),
		item(`fc_${tag}`, "function_call", null, { call_id: "call_1", name: "lookup_policy", arguments: '{"topic":"leave"}' }),
		item(`fco_${tag}`, "function_call_output", null, { call_id: "call_1", output: '{"days":25}' }),
		item(`msg_a${tag}`, "message", "assistant", { content: [{ type: "output_text", text: "You get 25 days of annual leave.", annotations: [] }] }),
	];
	const source = {
		position: 1,
		dataset_id: "vs_handbook",
		dataset_name: "Handbook",
		document_id: "file_leave",
		document_name: "leave-policy.md",
		segment_id: "7",
		score: 0.82,
		content: "Every employee is entitled to 25 days of paid annual leave per calendar year.",
	};
	const statements = [
		`INSERT INTO conversations (id, owner_id, key_id, updated_at) VALUES (${sql(conversationId)}, ${userId}, ${keyId}, ${Date.now()})`,
		`INSERT INTO conversation_turns (id, conversation_id, owner_id, model, status, input_tokens, output_tokens, cost_nusd, latency_ms, sources) VALUES (${sql(turnId)}, ${sql(conversationId)}, ${userId}, 'mock-chat', 'completed', 1234, 56, 1500000, 640, ${sql(JSON.stringify([source]))})`,
		...items.map(
			(i) =>
				`INSERT INTO conversation_items (id, conversation_id, owner_id, type, role, item, turn_id) VALUES (${sql(i.id)}, ${sql(conversationId)}, ${userId}, ${sql(i.type)}, ${i.role === null ? "NULL" : sql(i.role)}, ${sql(JSON.stringify(i.json))}, ${sql(turnId)})`,
		),
	];
	wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("statePath"), "--command", statements.join("; ")], { capture: true });
}

async function shot(name: string): Promise<void> {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(who: { email: string; password: string }): Promise<void> {
	await page.goto(gatewayUrl);
	await page.locator('input[name="email"]').fill(who.email);
	await page.locator('input[name="password"]').fill(who.password);
	await page.getByRole("button", { name: "Sign in" }).click();
	await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe(who.email);
	await page.getByRole("link", { name: "Chat" }).click();
}

const names = () => page.getByTestId("chat-conv-name").allTextContents();

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: alice.email, ...alice });
	aliceId = user.id;
	const key = await adminApi<{ id: number }>("POST", "/api/tokens", { name: "chat key", user_id: user.id });
	bobId = (await adminApi<{ id: number }>("POST", "/api/users", { name: bob.email, ...bob })).id;
	seed(user.id, key.id);
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", colorScheme: "light" });
	page = watched(await context.newPage());
});

function watched(p: Page): Page {
	p.on("console", (m) => {
		// Where the gateway serves no /api/apps (before the Apps API), the page lists no apps; Chromium logs the 404.
		if (m.type() === "error" && !m.location().url.endsWith("/api/apps")) problems.push(`console: ${m.text()}`);
	});
	p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	p.on("dialog", (d) => void d.accept());
	return p;
}

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard's Chat page in Chromium", () => {
	it("lists the user's conversation, named by its first message", async () => {
		await signIn(alice);
		await expect.poll(names).toEqual(["How many vacation days do I get this year?"]);
		expect(await page.getByTestId("chat-conv").textContent()).toContain("1 turn ·");
	});

	it("finds it by a word of the answer, with the matching passage marked", async () => {
		await page.getByTestId("chat-search-input").fill("annual");
		await page.getByTestId("chat-search").click();
		await expect.poll(() => page.getByTestId("chat-conv-snippet").textContent()).toContain("annual leave");
		expect(await page.getByTestId("chat-conv-snippet").locator("mark").allTextContents()).toEqual(["annual"]);
		await page.getByTestId("chat-search-input").fill("zebra");
		await page.getByTestId("chat-search").click();
		await expect.poll(() => page.getByTestId("chat-conv").count()).toBe(0);
		await page.getByTestId("chat-search-input").fill("");
		await page.getByTestId("chat-search").click();
		await expect.poll(() => page.getByTestId("chat-conv").count()).toBe(1);
	});

	it("opens the thread: messages, the tool call, the turn's tokens and cost, and a citation's source chunk", async () => {
		await page.getByTestId("chat-conv").click();
		await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("How many vacation days do I get this year?");
		expect(await page.getByTestId("chat-user").allTextContents()).toEqual(["How many vacation days do I get this year?"]);
		expect(await page.getByTestId("chat-assistant").allTextContents()).toEqual(["You get 25 days of annual leave."]);
		expect(await page.getByTestId("chat-tool-call").textContent()).toContain("lookup_policy");
		expect(await page.getByTestId("chat-tool-output").textContent()).toContain('{"days":25}');
		expect(await page.getByTestId("chat-turn-meta").textContent()).toBe("mock-chat · 1,234 in · 56 out tokens · $0.0015 · 640 ms");
		await page.getByTestId("chat-citation").click();
		const chunk = page.getByTestId("chat-citation-content");
		expect(await chunk.textContent()).toContain("Every employee is entitled to 25 days of paid annual leave");
		expect(await chunk.textContent()).toContain("Handbook · leave-policy.md");
		await shot("chat");
	});

	it("renames it and likes the answer; both are kept", async () => {
		await page.getByTestId("chat-rename").click();
		await page.getByTestId("chat-rename-input").fill("Leave policy");
		await page.getByTestId("chat-rename-save").click();
		await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("Leave policy");
		await expect.poll(names).toEqual(["Leave policy"]);
		await page.getByTestId("chat-like").click();
		await expect.poll(() => page.getByTestId("chat-like").getAttribute("aria-pressed")).toBe("true");
		await page.reload();
		await page.getByTestId("chat-conv").click();
		await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("Leave policy");
		await expect.poll(() => page.getByTestId("chat-like").getAttribute("aria-pressed")).toBe("true");
		expect(await page.getByTestId("chat-dislike").getAttribute("aria-pressed")).toBe("false");
	});

	it("starts a new conversation, shows the answer streamed from the model, then the turn as stored", async () => {
		await page.getByTestId("chat-new").click();
		await expect.poll(() => page.getByTestId("chat-model").inputValue()).not.toBe("");
		await page.getByTestId("chat-model").selectOption("mock-chat");
		await page.getByTestId("chat-input").fill("What is on the menu today?");
		await page.getByTestId("chat-send").click();
		// The mock channel sends a word every 40 ms: the answer must grow on screen, not appear at once.
		const streamed = page.getByTestId("chat-streamed");
		const seen = new Set<string>();
		const until = Date.now() + 10_000;
		while (Date.now() < until) {
			const text = (await streamed.textContent({ timeout: 100 }).catch(() => null)) ?? "";
			if (text) seen.add(text);
			if ((await streamed.getAttribute("aria-busy", { timeout: 100 }).catch(() => null)) === "false") break;
			await page.waitForTimeout(15);
		}
		expect(seen.size).toBeGreaterThanOrEqual(3);
		const lengths = [...seen].map((t) => t.length);
		expect(Math.max(...lengths)).toBeGreaterThan(Math.min(...lengths));
		const answer = 'Hello from the mock-chat mock channel. You said: "What is on the menu today?"';
		// Streamed in first, then read back from the store as the conversation's turn, with its cost.
		await expect.poll(() => page.getByTestId("chat-assistant").textContent(), { timeout: 15_000 }).toContain(answer);
		expect(await page.getByTestId("chat-pending").count()).toBe(0);
		await expect.poll(() => page.getByTestId("chat-turn-meta").textContent()).toMatch(/^mock-chat · \d+ in · \d+ out tokens · \$/);
		expect(await page.getByTestId("chat-title").textContent()).toBe("What is on the menu today?");
		await expect.poll(names).toEqual(["What is on the menu today?", "Leave policy"]);
		await shot("chat-streamed");
	});

	it("carries the conversation on: the next answer follows the first in the same thread", async () => {
		await page.getByTestId("chat-input").fill("And tomorrow?");
		await page.getByTestId("chat-send").click();
		await expect
			.poll(() => page.getByTestId("chat-assistant").allTextContents(), { timeout: 15_000 })
			.toEqual([expect.stringContaining('You said: "What is on the menu today?"'), expect.stringContaining('You said: "And tomorrow?"')]);
		await expect.poll(() => page.getByTestId("chat-turn-meta").count()).toBe(2);
	});

	it("shows the page in Chinese, nothing left in English, nothing overflowing at 1440 px", async () => {
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "zh")`);
		await page.reload();
		await page.getByTestId("chat-conv").filter({ hasText: "Leave policy" }).click();
		await page.getByTestId("chat-citation").click();
		await page.getByTestId("chat-citation-content").waitFor();
		const english = englishDetector(stringsTables());
		const untranslated = (await page.evaluate<string[]>(VISIBLE_TEXTS)).flatMap((text) => english(text) ?? []);
		expect(untranslated).toEqual([]);
		expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
		await shot("chat-zh");
		await page.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
		await page.reload();
	});

	it("deletes the conversation", async () => {
		await page.getByTestId("chat-conv").filter({ hasText: "Leave policy" }).click();
		await expect.poll(() => page.getByTestId("chat-title").textContent()).toBe("Leave policy");
		await page.getByTestId("chat-delete").click();
		await expect.poll(names).not.toContain("Leave policy");
		await page.getByTestId("chat-search-input").fill("annual");
		await page.getByTestId("chat-search").click();
		await expect.poll(() => page.getByTestId("chat-conv").count()).toBe(0);
	});

	it("shows another user none of the first user's conversations", async () => {
		page = watched(await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US" })).newPage());
		await signIn(bob);
		await expect.poll(() => page.getByText("Nothing here yet.").count()).toBe(1);
		await page.getByTestId("chat-search-input").fill("menu");
		await page.getByTestId("chat-search").click();
		await expect.poll(() => page.getByText("Nothing here yet.").count()).toBe(1);
		expect(await page.getByTestId("chat-conv").count()).toBe(0);
	});

	it("lets the operator see every user's conversations, or one user's", async () => {
		page = watched(await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US" })).newPage());
		await page.goto(gatewayUrl);
		await page.getByRole("tab", { name: "Admin token" }).click();
		await page.locator('input[name="token"]').fill(inject("adminToken"));
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("link", { name: "Chat" }).click();
		// Every user's conversations come newest first, a page at a time, and the other e2e files add theirs: the first
		// user's is searched for rather than expected on the first page. The machine may be busy: polls wait longer.
		await page.getByTestId("chat-search-input").fill("menu");
		await page.getByTestId("chat-search").click();
		await expect.poll(names, { timeout: 10_000 }).toContain("What is on the menu today?");
		await page.getByTestId("chat-search-input").fill("");
		await page.getByTestId("chat-search").click();
		const filter = page.getByTestId("chat-user-filter");
		await filter.selectOption({ label: `${alice.email} (#${aliceId})` });
		await expect.poll(names, { timeout: 10_000 }).toEqual(["What is on the menu today?"]);
		await filter.selectOption({ label: `${bob.email} (#${bobId})` });
		await expect.poll(() => page.getByText("Nothing here yet.").count(), { timeout: 10_000 }).toBe(1);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
