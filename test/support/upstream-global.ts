import type { TestProject } from "vitest/node";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "./constants";
import { startMockUpstream } from "./mock-upstream";
import { assertNoLeaks, consoleLines } from "./secret-scan";

/**
 * One mock upstream for the whole workers project; the Worker under test reaches it over real loopback HTTP. When
 * the run ends, every console line of it is scanned for the secrets it used: the admin token, the encryption key,
 * every upstream key the mock upstream was sent, and any gateway key.
 */
export default async function setup(project: TestProject) {
	const upstream = await startMockUpstream();
	project.provide("upstreamUrl", upstream.url);
	return async () => {
		await upstream.close();
		assertNoLeaks("the test run's console", consoleLines(), [TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY, ...upstream.credentials()]);
	};
}

declare module "vitest" {
	export interface ProvidedContext {
		upstreamUrl: string;
	}
}
