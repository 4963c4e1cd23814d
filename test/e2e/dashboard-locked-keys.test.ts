// The Keys page's Security notice in real headless Chromium against the gateway under `wrangler dev`: a locked key is
// listed with why, and the operator unlocks it there. (How a key gets locked is test/integration/anomaly.test.ts's.)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { wrangler } from "../../scripts/local-state.mjs";
import { adminApi } from "./admin-api";
import { openDashboard, signInAsOperator } from "./dashboard-page";

const SHOTS = join("test-results", "dashboard");
const name = `locked-${crypto.randomUUID().slice(0, 8)}`;
const REASON = "unusual use: used from a new country (DE)";

let browser: Browser;
let page: Page;
let keyId: number;
const problems: string[] = [];

const statusOf = async (id: number) => (await adminApi<{ status: string }>("GET", `/api/tokens/${id}`)).status;

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	keyId = (await adminApi<{ id: number }>("POST", "/api/tokens", { name })).id;
	// Locked as anomaly detection locks a key (src/auth/key-lock.ts): no API locks a key on request.
	const lock = `UPDATE tokens SET status = 'locked', locked_reason = '${REASON}', locked_at = ${Date.now()} WHERE id = ${keyId}`;
	wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("statePath"), "--command", lock], { capture: true });
	({ browser, page } = await openDashboard(problems));
});

afterAll(async () => {
	await browser?.close();
});

describe("the Keys page's Security notice in Chromium", () => {
	it("lists a locked key with why, and the operator unlocks it", { timeout: 90_000 }, async () => {
		expect(await statusOf(keyId)).toBe("locked");
		await signInAsOperator(page);
		await page.getByRole("link", { name: "Keys" }).click();
		const notice = page.getByTestId("keys-security");
		await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toContain(`${name} (`);
		expect(await notice.textContent()).toContain(REASON);
		await page.screenshot({ path: join(SHOTS, "keys-security.png"), fullPage: true });

		const unlock = page.getByTestId(`key-toggle-${keyId}`);
		expect(await unlock.textContent()).toBe("Unlock");
		await unlock.click();
		await expect.poll(() => statusOf(keyId), { timeout: 10_000 }).toBe("active");
		// The page reloads its list after the change: the row says so, and the notice no longer names the key. On a
		// loaded CI machine the reload of every test's keys can take a while; what the page shows meanwhile is in
		// the message if it never comes.
		const row = page.getByTestId(`key-status-${keyId}`);
		try {
			await expect.poll(() => row.textContent(), { timeout: 30_000 }).toBe("Active");
		} catch (err) {
			throw new Error(`the row did not turn active; the page's alerts: ${(await page.getByRole("alert").allTextContents()).join(" | ")}`, { cause: err });
		}
		expect((await notice.count()) === 0 ? "" : await notice.textContent()).not.toContain(name);
	});

	it("logged no console error and threw no exception", () => {
		expect(problems).toEqual([]);
	});
});
