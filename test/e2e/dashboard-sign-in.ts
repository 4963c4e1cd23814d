import type { Page } from "playwright-core";
import { expect, inject } from "vitest";

/** Opens the dashboard and signs in with the admin token, as an operator does: done once the header says "operator". */
export async function signInAsOperator(page: Page): Promise<void> {
	await page.goto(inject("gatewayUrl"));
	await page.getByRole("tab", { name: "Admin token" }).click();
	await page.locator('input[name="token"]').fill(inject("adminToken"));
	await page.getByRole("button", { name: "Sign in" }).click();
	await expect.poll(() => page.getByTestId("who").textContent(), { timeout: 10_000 }).toBe("operator");
}
