// The dashboard in real headless Chromium (Debian's `chromium`, driven by playwright-core) against the gateway
// under `wrangler dev`, as a newcomer would use it (the test's tsconfig has no DOM types, so in-page code is
// passed as strings). Screenshots of every page land in test-results/dashboard/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { englishDetector, stringsTables, VISIBLE_TEXTS } from "./dashboard-strings";

const gatewayUrl = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");
const SHOTS = join("test-results", "dashboard");

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Everything the page logged as an error, and every uncaught exception: the dashboard must produce none. */
const problems: string[] = [];

/** `expected`: an error the test provokes on purpose (Chromium logs every 4xx answer as a console error). */
function watch(p: Page, expected?: RegExp): void {
	p.on("console", (m) => {
		if (m.type() === "error" && !expected?.test(m.text())) problems.push(`console: ${m.text()}`);
	});
	p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
}

async function shot(name: string, p: Page = page): Promise<void> {
	await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function go(path: string): Promise<void> {
	await page.goto(`${gatewayUrl}${path}`);
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * The session, where the dashboard served by the Worker keeps it: an HttpOnly, Secure, SameSite=Strict cookie that
 * the page's scripts cannot read (and so no injected script could steal).
 */
async function storedToken(): Promise<string | undefined> {
	const cookie = (await context.cookies(gatewayUrl)).find((c) => c.name === "__Host-gw_session");
	if (cookie)
		expect({ httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite, path: cookie.path }).toEqual({
			httpOnly: true,
			secure: true,
			sameSite: "Strict",
			path: "/",
		});
	return cookie?.value;
}

/** Everything the page's scripts can read of storage and cookies: never the session token. */
async function readableByScripts(): Promise<string> {
	return page.evaluate<string>("JSON.stringify([document.cookie, Object.entries(localStorage), Object.entries(sessionStorage)])");
}

const whoIs = (token: string | undefined) => fetch(`${gatewayUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", colorScheme: "light" });
	await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gatewayUrl });
	page = await context.newPage();
	watch(page);
});

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard in Chromium", () => {
	it("signs the operator in with the admin token", async () => {
		await go("/");
		await shot("sign-in");
		const where = async () => JSON.stringify(await Promise.all(["lang", "theme"].map((id) => page.getByTestId(id).boundingBox())));
		const before = await where();
		await page.getByRole("tab", { name: "Admin token" }).click();
		// The language and theme buttons stay put; the hint names its command and file as code, no Markdown backticks.
		expect(await where()).toBe(before);
		const hint = page.getByTestId("token-hint");
		expect(await hint.textContent()).toBe("npm run dev prints it; it is also in .dev.vars.");
		expect(await hint.locator("code").allTextContents()).toEqual(["npm run dev", ".dev.vars"]);
		await page.locator('input[name="token"]').fill(inject("adminToken"));
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.getByTestId("who").textContent()).toBe("operator");
		await expect.poll(() => page.getByRole("link", { name: "Channels" }).count()).toBe(1);
		// ADMIN_TOKEN was traded for a session: only the session is kept, nowhere the token itself.
		const kept = await page.evaluate<string[]>("[...Object.values(localStorage), ...Object.values(sessionStorage)]");
		expect(kept.filter((v) => v.includes(inject("adminToken")))).toEqual([]);
		expect((await context.cookies()).filter((c) => c.value.includes(inject("adminToken")))).toEqual([]);
		expect(await storedToken()).toMatch(JWT);
		expect((await whoIs(await storedToken())).status).toBe(200);
		expect(await readableByScripts()).not.toContain(await storedToken());
	});

	it("creates a channel from the form and tests it", async () => {
		await go("/channels");
		await page.getByTestId("channel-new").click();
		const name = `dash-${Date.now()}`;
		await page.locator('input[name="name"]').fill(name);
		await page.locator('select[name="type"]').selectOption("openai");
		await page.locator('input[name="base_url"]').fill(`${upstreamUrl}/dashboard/ok/v1`);
		await page.locator('input[name="key"]').fill("sk-dashboard-upstream");
		await page.locator('input[name="models"]').fill("dash-model");
		// No price for it yet: the form says so before the channel is saved.
		await expect.poll(() => page.getByTestId("channel-form-unpriced").textContent()).toContain("No price yet: dash-model");
		const saved = page.waitForResponse((r) => r.url().endsWith("/api/channels") && r.request().method() === "POST");
		await page.getByTestId("channel-save").click();
		expect((await saved).status()).toBe(201);
		const channels = await adminApi<{ data: { id: number; name: string }[] }>("GET", "/api/channels");
		const created = channels.data.find((c) => c.name === name);
		expect(created).toBeDefined();
		const id = created?.id ?? 0;
		const row = page.getByTestId(`channel-row-${id}`);
		await row.waitFor();
		expect(await page.getByTestId(`channel-unpriced-${id}`).textContent()).toBe("1 without a price");
		await page.getByTestId(`channel-test-${id}`).click();
		// Reachable, but its model has no price: named, how it is served said (this gateway allows unpriced models), and where to set one.
		await expect
			.poll(() => page.getByTestId(`channel-test-result-${id}`).textContent(), { timeout: 10_000 })
			.toMatch(/^Reachable · .*, but 1 model has no price: dash-model$/);
		const note = page.getByTestId(`channel-test-unpriced-${id}`);
		expect(await note.textContent()).toBe("They are served free while ALLOW_UNPRICED_MODELS is on. Set prices");
		expect(await note.getByRole("link", { name: "Set prices" }).getAttribute("href")).toBe("/billing");
		await shot("channels-unpriced");

		await adminApi("PUT", "/api/prices/dash-model", { input_usd_per_mtok: 1, output_usd_per_mtok: 2 });
		await page.getByTestId(`channel-test-${id}`).click();
		await expect.poll(() => page.getByTestId(`channel-test-result-${id}`).textContent(), { timeout: 10_000 }).toMatch(/^OK/);
		expect(await note.count()).toBe(0);
		// The exact URL called, and the upstream's answer behind a disclosure.
		expect(await page.getByTestId(`channel-test-url-${id}`).textContent()).toBe(`POST ${upstreamUrl}/dashboard/ok/v1/chat/completions`);
		await page.getByText("Upstream answer · HTTP 200").click();
		expect(await page.getByTestId(`channel-test-body-${id}`).textContent()).toContain('"object":"chat.completion"');
		await shot("channels");
	});

	it("shows a model its upstream rate-limits held back on a channel that still serves its other models", async () => {
		const stamp = Date.now();
		const [limited, fine] = [`dash-limited-${stamp}`, `dash-fine-${stamp}`];
		const { id } = await adminApi<{ id: number }>("POST", "/api/channels", {
			name: `dash-models-${stamp}`,
			type: "openai",
			base_url: `${upstreamUrl}/dashboard/ok/v1`,
			key: "sk-dashboard-upstream",
			models: [limited, fine],
			model_mapping: { [limited]: "scenario/status-429" },
			settings: { breaker: { probeIntervalMs: 0 } },
		});
		const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: `dash-models-${stamp}` });
		const ask = (model: string) =>
			fetch(`${gatewayUrl}/v1/chat/completions`, {
				method: "POST",
				headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
				body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
			});
		expect((await ask(limited)).status).toBe(429);
		expect((await ask(fine)).status).toBe(200);
		await expect
			.poll(async () => (await adminApi<{ models: { model: string; state: string }[] }>("GET", `/api/channels/${id}/health`)).models[0]?.state)
			.toBe("open");

		await go("/channels");
		const badge = page.locator(`[data-testid="model-health-${id}"][data-model="${limited}"]`);
		await badge.waitFor();
		expect(await badge.getAttribute("data-state")).toBe("open");
		expect(await badge.textContent()).toContain("Rate limited");
		expect(await page.getByTestId(`channel-health-${id}`).getAttribute("data-state")).toBe("closed");
		await shot("channels-model-held");
	});

	it("creates a key, shows it once and copies it", async () => {
		await go("/keys");
		await page.getByTestId("key-new").click();
		await page.locator('input[name="name"]').fill("dashboard key");
		await page.locator('input[name="rpm"]').fill("600");
		await page.getByTestId("key-save").click();
		const shown = page.getByTestId("key-created");
		await shown.waitFor();
		const key = (await shown.textContent())?.trim() ?? "";
		expect(key).toMatch(/^sk-\w{40,}$/);
		await page.getByTestId("copy").first().click();
		expect(await page.evaluate<string>("navigator.clipboard.readText()")).toBe(key);
		// The key works on the relay.
		const res = await fetch(`${gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
		expect(res.status).toBe(200);
		await shot("keys");
	});

	it("rotates a key: its new secret shown once, the old prefix while its grace lasts, both working meanwhile", async () => {
		const made = await adminApi<{ id: number; key: string; key_prefix: string }>("POST", "/api/tokens", {
			name: "rotated key",
			tags: ["e2e"],
			scopes: ["relay", "usage"],
			ip_allow: ["0.0.0.0/0", "::/0"],
		});
		await go("/keys");
		const row = page.getByTestId(`key-row-${made.id}`);
		await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("#e2e");
		expect(await row.textContent()).toContain("relay, usage");
		expect(await row.textContent()).toContain("0.0.0.0/0, ::/0");
		page.once("dialog", (d) => void d.accept());
		await page.getByTestId(`key-rotate-${made.id}`).click();
		const shown = page.getByTestId("key-created");
		await shown.waitFor();
		const key = (await shown.textContent())?.trim() ?? "";
		expect(key).toMatch(/^sk-gw_\w{46}$/);
		expect(key).not.toBe(made.key);
		await page.getByTestId("key-rotated-hint").waitFor();
		await expect.poll(() => page.getByTestId(`key-previous-${made.id}`).textContent(), { timeout: 10_000 }).toContain(made.key_prefix);
		for (const secret of [made.key, key]) {
			const res = await fetch(`${gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
			expect(res.status).toBe(200);
		}
		await shot("keys-rotated");
	});

	it("offers the users, by name and email, as a new key's owner, memory in its chats, and whether its broken streams continue", async () => {
		const email = `owner-${Date.now()}@example.com`;
		const user = await adminApi<{ id: number }>("POST", "/api/users", { name: "Key Owner", email });
		await go("/keys");
		await page.getByTestId("key-new").click();
		const owner = page.getByTestId("key-owner");
		await expect.poll(() => owner.locator("option").allTextContents()).toContain(`Key Owner · ${email} (#${user.id})`);
		expect(await owner.locator("option").first().textContent()).toBe("The operator (the admin user)");
		await owner.selectOption(String(user.id));
		await page.locator('input[name="name"]').fill("owned key");
		await page.getByTestId("key-memory-mode").selectOption("read_write");
		expect(await page.getByTestId("key-stream-continuation").inputValue()).toBe("on");
		await page.getByTestId("key-stream-continuation").selectOption("off");
		await page.getByTestId("key-save").click();
		await page.getByTestId("key-created").waitFor();
		const keys = await adminApi<{ data: { name: string; user_id: number; memory_mode: string; stream_continuation: boolean }[] }>("GET", "/api/tokens");
		expect(keys.data.find((k) => k.name === "owned key")).toMatchObject({ user_id: user.id, memory_mode: "read_write", stream_continuation: false });
	});

	let requestId = "";

	it("streams a playground reply, rendering it as it arrives, with tokens and cost", async () => {
		await go("/playground");
		const keys = await adminApi<{ data: { id: number; name: string }[] }>("GET", "/api/tokens");
		const key = keys.data.find((k) => k.name === "dashboard key");
		// The model is picked from the chosen key's list, once that list is in (a list still loading may reset the pick).
		const pickKey = page.getByTestId("pg-key");
		if ((await pickKey.inputValue()) !== String(key?.id)) {
			const listed = page.waitForResponse((r) => r.url().includes(`/api/playground/models?token_id=${key?.id}`));
			await pickKey.selectOption(String(key?.id));
			await listed;
		}
		// Picked again until it holds: a models list that lands after the pick (other tests add models meanwhile) resets it.
		const pickModel = page.getByTestId("pg-model");
		await expect
			.poll(
				async () => {
					if ((await pickModel.inputValue()) !== "mock-chat") await pickModel.selectOption("mock-chat");
					return pickModel.inputValue();
				},
				{ timeout: 10_000 },
			)
			.toBe("mock-chat");
		await page.getByTestId("pg-input").fill("Tell me about edge gateways");
		const replied = page.waitForResponse((r) => r.url().includes("/api/playground/chat/completions"));
		await page.getByTestId("pg-send").click();
		requestId = (await replied).headers()["x-request-id"] ?? "";
		expect(requestId).not.toBe("");

		// The mock channel sends a word every 40 ms: the reply must grow on screen, not appear at once.
		const reply = page.getByTestId("pg-reply").last();
		const seen = new Set<string>();
		const until = Date.now() + 10_000;
		while (Date.now() < until) {
			const text = (await reply.textContent().catch(() => null)) ?? "";
			if (text) seen.add(text);
			if ((await page.getByTestId("pg-meta").count()) > 0) break;
			await page.waitForTimeout(15);
		}
		expect(seen.size).toBeGreaterThanOrEqual(3);
		const lengths = [...seen].map((s) => s.length);
		expect(Math.max(...lengths)).toBeGreaterThan(Math.min(...lengths));
		await expect.poll(() => page.getByTestId("pg-meta").textContent(), { timeout: 10_000 }).toMatch(/\$/);
		await shot("playground");
	});

	it("offers the chosen key's models, still takes a typed one, and keeps key and model when one comes back", async () => {
		const two = await adminApi<{ id: number }>("POST", "/api/tokens", { name: "two models", models: ["mock-chat-large", "mock-chat"] });
		await go("/playground");
		await page.getByTestId("pg-key").selectOption(String(two.id));
		const options = () => page.getByTestId("pg-model").locator("option").allTextContents();
		await expect.poll(options).toEqual(["mock-chat", "mock-chat-large", "Another model…"]);
		await page.getByTestId("pg-model").selectOption("mock-chat-large");
		await page.getByRole("link", { name: "Keys" }).click();
		await page.getByTestId("key-new").waitFor();
		await page.getByRole("link", { name: "Playground" }).click();
		await expect.poll(() => page.getByTestId("pg-model").inputValue()).toBe("mock-chat-large");
		expect(await page.getByTestId("pg-key").inputValue()).toBe(String(two.id));
		// A model the key's list does not name can still be typed, and is kept too.
		await page.getByTestId("pg-model").selectOption("Another model…");
		await page.getByTestId("pg-model-typed").fill("not-listed");
		// The page keeps the choice after rendering it (an effect): reload once it has, as a person would, not in the same tick.
		await expect.poll(() => page.evaluate<string>("sessionStorage.getItem('edge-gateway.playground') ?? ''")).toContain('"model":"not-listed"');
		await page.reload();
		expect(await page.getByTestId("pg-model-typed").inputValue()).toBe("not-listed");
	});

	it("shows the request in the usage logs, with its detail", async () => {
		await go("/usage");
		await expect
			.poll(
				async () => {
					await page.getByTestId("usage-refresh").click();
					return page
						.getByTestId("usage-row")
						.filter({ hasText: requestId.slice(0, 8) })
						.count();
				},
				{ timeout: 15_000, interval: 500 },
			)
			.toBeGreaterThan(0);
		await page
			.getByTestId("usage-row")
			.filter({ hasText: requestId.slice(0, 8) })
			.first()
			.click();
		const detail = page.getByTestId("usage-detail");
		await detail.waitFor();
		await expect.poll(() => detail.textContent(), { timeout: 5_000 }).toContain("mock-chat");
		// The key and its owner by name, their numbers beside.
		expect(await page.getByTestId("usage-detail-key").textContent()).toMatch(/^dashboard key #\d+$/);
		expect(await page.getByTestId("usage-detail-user").textContent()).toMatch(/^admin #\d+$/);
		await shot("usage");
		await page.keyboard.press("Escape");
		// A client that hung up is logged as 499: the status filter offers it.
		expect(await page.getByTestId("filter-status").locator("option").allTextContents()).toContain("499");
	});

	it("shows the usage filter's From and To whole, at desktop and at phone width", async () => {
		// Each field beside a copy of itself at its natural width (absolutely placed, so that no layout stretches or cuts it).
		const cut = `[...document.querySelectorAll('[data-testid="filter-from"], [data-testid="filter-to"]')].filter((e) => {
			const copy = e.cloneNode();
			Object.assign(copy.style, { position: "absolute", visibility: "hidden", width: "auto", minWidth: "0", maxWidth: "none" });
			e.parentElement.append(copy);
			const natural = copy.getBoundingClientRect().width;
			copy.remove();
			return e.getBoundingClientRect().width < natural - 0.5;
		}).map((e) => e.name)`;
		for (const width of [1440, 390]) {
			await page.setViewportSize({ width, height: 900 });
			await go("/usage");
			await page.getByTestId("filter-to").waitFor();
			expect(await page.evaluate<string[]>(cut), `${width} px`).toEqual([]);
		}
		await page.setViewportSize({ width: 1280, height: 900 });
	});

	it("counts it on the overview, with charts", async () => {
		await go("/");
		await page.getByTestId("overview-refresh").click();
		await expect
			.poll(async () => Number((await page.getByTestId("stat-requests").locator(".value").textContent())?.replaceAll(",", "") ?? 0), { timeout: 10_000 })
			.toBeGreaterThan(0);
		expect(await page.locator("canvas").count()).toBeGreaterThan(0);
		// Styled, translated legends: the time column is named, each series has its swatch.
		expect(await page.locator(".chart .u-legend .u-series").first().textContent()).toContain("Time");
		await shot("overview");

		// A request refused before its model was read is logged without one: its Top models row is named so.
		const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: `no-model-${Date.now()}` });
		const refused = await fetch(`${gatewayUrl}/v1/chat/completions`, {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: "{not json",
		});
		expect(refused.status).toBe(400);
		// The last hour is drawn by the minute, not as two hourly points.
		await page.getByTestId("range-hour").click();
		await expect
			.poll(
				async () => {
					await page.getByTestId("overview-refresh").click();
					await page.getByTestId("overview-refresh").and(page.locator(":enabled")).waitFor();
					return (await page.getByTestId("top-models").allTextContents()).join(" ");
				},
				{ timeout: 15_000, interval: 500 },
			)
			.toContain("(no model)");
		expect(await page.getByText(/, by minute$/).count()).toBe(1);
		// Channel health counts a sliding window, unlike the range's Top channels beside it: it says which.
		expect(await page.getByTestId("breaker").first().textContent()).toMatch(/\d+ req · .* errors · last 60 s/);
		await shot("overview-last-hour");
		await page.getByTestId("range-day").click();
		await go("/billing");
		await page.getByTestId("balance").waitFor();
		// Prices seeded at install start at the epoch: they say so rather than "1/1/1970".
		const seeded = page.getByTestId("price-row").filter({ hasText: "mock-chat" }).first();
		await seeded.waitFor();
		expect(await seeded.locator("td").last().textContent()).toBe("Install");
		expect(await page.getByTestId("price-row").filter({ hasText: "1970" }).count()).toBe(0);
		await shot("billing");
	});

	/** Whether an element's text is in the danger colour, as a user sees it. */
	const isRed = (testid: string) =>
		page.evaluate<boolean>(`(() => {
			const probe = document.createElement("span");
			probe.style.color = "var(--danger)";
			document.body.append(probe);
			const red = getComputedStyle(probe).color;
			probe.remove();
			return getComputedStyle(document.querySelector('[data-testid="${testid}"]')).color === red;
		})()`);

	it("shows what the operator's own account spent without alarm, a user's debt in red, and tiny amounts as they are", async () => {
		const user = await adminApi<{ id: number }>("POST", "/api/users", { name: `owes-${Date.now()}` });
		await adminApi("POST", "/api/billing/adjust", { user_id: user.id, amount_usd: -0.0000004, note: "a tiny debit" });
		await go("/billing");
		// The playground's requests above were charged to the admin user, whose keys they were: the operator's own spending.
		const label = page.getByTestId("balance").locator(".label");
		await expect.poll(() => label.textContent()).toBe("Spent by admin, the operator's own account: not owed by anyone");
		expect(await page.getByTestId("balance-value").textContent()).toMatch(/^\$0\.\d+$/);
		expect(await isRed("balance-value")).toBe(false);
		await page.getByTestId("billing-user").selectOption(String(user.id));
		await expect.poll(() => page.getByTestId("balance-value").textContent()).toBe("-$0.0000004");
		expect(await isRed("balance-value")).toBe(true);
		await expect.poll(() => page.getByTestId("ledger-amount").allTextContents()).toEqual(["-$0.0000004"]);
		// Every amount in one format: cents from a cent up, two significant digits below, never "$0.00" for a charge.
		await page.getByTestId("billing-user").selectOption("");
		await expect.poll(() => page.getByTestId("ledger-amount").count()).toBeGreaterThan(1);
		for (const amount of await page.getByTestId("ledger-amount").allTextContents()) {
			expect(amount).toMatch(/^[+-]\$(\d{1,3}(,\d{3})*\.\d{2}|0\.0*[1-9]\d?)$/);
		}
		await shot("billing-ledger");
	});

	it("takes the operator from the top of the billing page to the price form, which comes before the list", async () => {
		await go("/billing");
		await page.getByTestId("price-row").first().waitFor();
		await page.getByTestId("billing-set-price").click();
		expect(await page.evaluate<string>("document.activeElement?.dataset.testid ?? ''")).toBe("price-model");
		const field = await page.getByTestId("price-model").boundingBox();
		expect(field && field.y >= 0 && field.y + field.height <= 900).toBe(true);
		const form = await page.getByTestId("price-form").boundingBox();
		const list = await page.getByTestId("price-row").first().boundingBox();
		expect((form?.y ?? 0) < (list?.y ?? 0)).toBe(true);
	});

	it("calls a breaker's state by one name on the Overview and on Channels", async () => {
		const { data } = await adminApi<{ data: { id: number; name: string }[] }>("GET", "/api/channels");
		const first = data[0];
		expect(first).toBeDefined();
		await go("/channels");
		const onChannels = page.getByTestId(`channel-health-${first?.id}`);
		await onChannels.waitFor();
		expect(await onChannels.getAttribute("data-state")).toBe("closed");
		await go("/");
		const onOverview = page
			.getByTestId("breaker")
			.filter({ hasText: `#${first?.id}` })
			.first()
			.getByTestId("breaker-state");
		await onOverview.waitFor();
		expect(await onOverview.textContent()).toBe("Healthy");
		await go("/channels");
		expect(await page.getByTestId(`channel-health-${first?.id}`).textContent()).toBe("Healthy");
	});

	it("switches language and theme, and remembers both", async () => {
		await go("/");
		await page.getByTestId("lang").click();
		await expect.poll(() => page.getByRole("link", { name: "概览" }).count()).toBe(1);
		await page.getByTestId("theme").click();
		expect(await page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
		await page.reload();
		await expect.poll(() => page.getByRole("link", { name: "渠道" }).count()).toBe(1);
		expect(await page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
		expect(await page.evaluate<string>("document.documentElement.lang")).toBe("zh-CN");
		await page.getByTestId("stat-requests").waitFor();
		await shot("overview-zh-dark");
		// The key made above carries the operator's rpm: its dialog marks it, in Chinese.
		const keys = await adminApi<{ data: { id: number; name: string }[] }>("GET", "/api/tokens");
		const key = keys.data.find((k) => k.name === "dashboard key");
		await go("/keys");
		await page.getByTestId(`key-edit-${key?.id}`).click();
		expect(await page.getByTestId("operator-limit-rpm").textContent()).toContain("由管理员设定");
		await shot("keys-zh-dark");
		await page.keyboard.press("Escape");
		await page.getByTestId("key-form").waitFor({ state: "detached" });
		await page.getByTestId("lang").click();
		await page.getByTestId("theme").click();
	});

	it("fits a phone-width screen on every page", async () => {
		const phone = await context.newPage();
		watch(phone);
		await phone.setViewportSize({ width: 390, height: 844 });
		for (const path of ["/", "/channels", "/keys", "/usage", "/billing", "/playground", "/knowledge", "/memories", "/chat", "/apps"]) {
			await phone.goto(`${gatewayUrl}${path}`);
			await phone.waitForLoadState("networkidle");
			const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
			expect(overflow, path).toBeLessThanOrEqual(1);
			await shot(`phone${path === "/" ? "-overview" : path.replace("/", "-")}`, phone);
		}
		await phone.close();
	});

	// Twenty pages, each loaded to network idle and shot whole: more than the default 30 s on a busy machine.
	it("uses the width of a desktop screen on every page, in English and in Chinese, with no sideways scrolling and nothing left in English", async () => {
		// The widest rows a newcomer makes: a key with every limit, and channels showing their test outcome.
		await adminApi("POST", "/api/tokens", {
			name: "every limit",
			rpm: 600,
			tpm: 100_000,
			max_concurrency: 4,
			budget_daily_usd: 5,
			budget_monthly_usd: 100,
			quota_usd: 250,
		});
		const english = englishDetector(stringsTables());
		const untranslated: string[] = [];
		const desk = await context.newPage();
		watch(desk);
		await desk.setViewportSize({ width: 1440, height: 900 });
		for (const language of ["en", "zh"] as const) {
			await desk.goto(gatewayUrl);
			await desk.evaluate(`localStorage.setItem("edge-gateway.lang", "${language}")`);
			for (const path of ["/", "/channels", "/keys", "/usage", "/billing", "/playground", "/knowledge", "/memories", "/chat", "/apps"]) {
				const where = `${language} ${path}`;
				await desk.goto(`${gatewayUrl}${path}`);
				await desk.waitForLoadState("networkidle");
				if (path === "/channels") {
					const tests = desk.locator('button[data-testid^="channel-test-"]');
					for (const button of await tests.all()) await button.click();
					await expect.poll(() => desk.locator('[data-testid^="channel-test-result-"]').count(), { timeout: 10_000 }).toBe(await tests.count());
				}
				await shot(`desktop${language === "zh" ? "-zh" : ""}${path === "/" ? "-overview" : path.replace("/", "-")}`, desk);
				expect(await desk.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth"), where).toBeLessThanOrEqual(0);
				// A table scrolling inside its frame hides its last columns (the actions) as surely as the page would.
				const scrolled = await desk.evaluate<string[]>(
					"[...document.querySelectorAll('main .table-wrap')].filter((e) => e.scrollWidth > e.clientWidth).map((e) => [...e.querySelectorAll('th')].map((h) => h.textContent).join(' | '))",
				);
				expect(scrolled, where).toEqual([]);
				if (language === "zh") {
					for (const text of await desk.evaluate<string[]>(VISIBLE_TEXTS)) {
						const found = english(text);
						if (found !== undefined) untranslated.push(`${path}: ${found}`);
					}
				}
			}
		}
		await desk.evaluate(`localStorage.setItem("edge-gateway.lang", "en")`);
		await desk.close();
		// Every English string of the strings tables that still shows in Chinese mode, by page.
		expect([...new Set(untranslated)]).toEqual([]);
	}, 90_000);

	it("signs a user in with email and password, who sees only their own things and the operator's limits on them", async () => {
		const email = `dash-${Date.now()}@example.com`;
		const user = await adminApi<{ id: number }>("POST", "/api/users", { name: email, email, password: "dashboard-pass" });
		const bound = await adminApi<{ id: number }>("POST", "/api/tokens", { name: "bounded key", user_id: user.id, rpm: 100, models: ["mock-chat"] });
		const userContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const userPage = await userContext.newPage();
		// The save this test makes the API refuse.
		watch(userPage, /status of 403/);
		await userPage.goto(gatewayUrl);
		await userPage.locator('input[name="email"]').fill(email);
		await userPage.locator('input[name="password"]').fill("dashboard-pass");
		await userPage.getByRole("button", { name: "Sign in" }).click();
		// Checking a password is slow on purpose (PBKDF2), the more so on a busy machine.
		await expect.poll(() => userPage.getByTestId("who").textContent(), { timeout: 10_000 }).toBe(email);
		expect(await userPage.getByRole("link", { name: "Channels" }).count()).toBe(0);
		await userPage.goto(`${gatewayUrl}/keys`);
		await userPage.getByTestId("key-new").waitFor();
		await shot("keys-user", userPage);

		// The operator's limits are marked; clearing one is refused with the API's message, tightening it is not.
		await userPage.getByTestId(`key-edit-${bound.id}`).click();
		expect(await userPage.getByTestId("operator-limit-rpm").textContent()).toContain("100");
		expect(await userPage.getByTestId("operator-limit-models").textContent()).toContain("mock-chat");
		await userPage.locator('input[name="rpm"]').fill("");
		await userPage.getByTestId("key-save").click();
		await expect.poll(() => userPage.getByTestId("key-form-error").textContent()).toContain("rpm");
		expect(await userPage.locator('input[name="rpm"]').getAttribute("aria-invalid")).toBe("true");
		await shot("keys-user-operator-limit", userPage);
		await userPage.locator('input[name="rpm"]').fill("50");
		await userPage.getByTestId("key-save").click();
		await userPage.getByTestId("key-form").waitFor({ state: "detached" });
		const saved = await adminApi<{ rpm: number | null; operator_limits: { rpm?: number } }>("GET", `/api/tokens/${bound.id}`);
		expect(saved.rpm).toBe(50);
		expect(saved.operator_limits.rpm).toBe(100);
		await userContext.close();
	});

	it("signs out, which ends the session on the server too", async () => {
		await go("/keys");
		await page.getByTestId("key-new").waitFor();
		const token = await storedToken();
		await page.getByTestId("sign-out").click();
		await page.getByRole("tab", { name: "Admin token" }).waitFor();
		expect(await storedToken()).toBeUndefined();
		expect(await page.evaluate<string | null>("localStorage.getItem('edge-gateway.profile')")).toBeNull();
		expect((await whoIs(token)).status).toBe(401);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
