// The dashboard's security headers in real headless Chromium against `wrangler dev`: every page is served with a
// strict Content-Security-Policy (no inline script or style allowed), and under it the page runs with a clean
// console: no policy violation, no error.
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const gatewayUrl = inject("gatewayUrl");

let browser: Browser;
let page: Page;
const problems: string[] = [];

/** Every page of the operator's navigation (dashboard/src/app.tsx), and a path only the single-page fallback serves. */
const PAGES = [
	"/",
	"/channels",
	"/models",
	"/keys",
	"/usage",
	"/billing",
	"/playground",
	"/knowledge",
	"/memories",
	"/chat",
	"/apps",
	"/jobs",
	"/no-such-page",
];

// Recorded in the page before any of its scripts run: a violation is also logged, but this names the directive.
const RECORD_VIOLATIONS = `
	window.__violations = [];
	document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
`;

beforeAll(async () => {
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", colorScheme: "light" });
	await context.addInitScript(RECORD_VIOLATIONS);
	page = await context.newPage();
	page.on("console", (m) => {
		if (m.type() === "error") problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
});

afterAll(async () => {
	await browser?.close();
});

describe("the dashboard's security headers", () => {
	it("serves every page under a strict CSP that holds with a clean console", async () => {
		const signIn = await page.goto(gatewayUrl);
		expect(signIn?.status()).toBe(200);
		await page.getByRole("tab", { name: "Admin token" }).click();
		await page.locator('input[name="token"]').fill(inject("adminToken"));
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe("operator");

		for (const path of PAGES) {
			const res = await page.goto(`${gatewayUrl}${path}`);
			const headers = res?.headers() ?? {};
			const csp = headers["content-security-policy"] ?? "";
			expect(csp, path).toContain("default-src 'none'");
			expect(csp, path).toContain("script-src 'self';");
			expect(csp, path).toContain("style-src 'self';");
			expect(csp, path).toContain("connect-src 'self'");
			expect(csp, path).toContain("frame-ancestors 'none'");
			expect(csp, path).not.toContain("unsafe-inline");
			expect(headers["referrer-policy"], path).toBe("no-referrer");
			expect(headers["x-content-type-options"], path).toBe("nosniff");
			// The page has rendered and made its calls under the policy.
			await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe("operator");
			await page.waitForLoadState("networkidle");
			expect(await page.evaluate<string[]>("window.__violations"), path).toEqual([]);
		}
		expect(problems).toEqual([]);
	});

	it("sends nosniff on the API, and no-store where sessions are handed out", async () => {
		const me = await fetch(`${gatewayUrl}/api/auth/me`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
		expect(me.headers.get("x-content-type-options")).toBe("nosniff");
		expect(me.headers.get("cache-control")).toBe("no-store");
		const login = await fetch(`${gatewayUrl}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ email: "nobody@example.com", password: "not the password" }),
		});
		expect(login.status).toBe(401);
		expect(login.headers.get("cache-control")).toBe("no-store");
		expect(login.headers.get("x-content-type-options")).toBe("nosniff");
	});
});
