// Starts, for the e2e project: the loopback mock upstream and the gateway under `wrangler dev` with its own
// throwaway local state (migrated and seeded exactly as `npm run dev` does it).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../scripts/free-port.mjs";
import { prepareDatabase } from "../../scripts/local-state.mjs";
import { startMockUpstream } from "../support/mock-upstream";
import { assertNoLeaks } from "../support/secret-scan";

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
	const until = Date.now() + 150_000;
	while (Date.now() < until) {
		if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
		try {
			if ((await fetch(`${url}/api/openapi.json`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`wrangler dev did not come up:\n${log()}`);
}

export default async function setup(project: TestProject) {
	const upstream = await startMockUpstream();
	const state = mkdtempSync(join(tmpdir(), "edge-gateway-e2e-"));
	const persist = ["--persist-to", state];
	const demoKey = prepareDatabase(persist);
	if (!demoKey) throw new Error("a fresh local database should have been seeded with a demo key");

	const port = await freePort();
	const adminToken = `adm-${randomBytes(16).toString("hex")}`;
	const encryptionKey = randomBytes(32).toString("base64");
	let output = "";
	const child = spawn(
		"wrangler",
		[
			"dev",
			// The gateway, and beside it the parser Worker that reads its PDF and Word files (the binding PARSER).
			"-c",
			"wrangler.toml",
			"-c",
			"src/parser/wrangler.toml",
			"--local",
			"--port",
			String(port),
			"--ip",
			"127.0.0.1",
			...persist,
			"--var",
			`ADMIN_TOKEN:${adminToken}`,
			"--var",
			`ENCRYPTION_KEY:${encryptionKey}`,
			"--var",
			"RELAY_FIRST_BYTE_TIMEOUT_MS:2000",
			// The suites make up model names; the seeded mock models are priced and charged as in production.
			"--var",
			"ALLOW_UNPRICED_MODELS:true",
			// Vector stores embed with the seeded mock channel's model, as under `npm run dev`.
			"--var",
			"VECTOR_EMBEDDING_MODEL:mock-embedding",
			// Memories are extracted by the seeded mock channel's chat model, as under `npm run dev`.
			"--var",
			"MEMORY_MODEL:mock-chat",
			// Operator notifications go to the mock upstream, which logs them under the tag "webhooks".
			"--var",
			`ALERT_WEBHOOK_URL:${upstream.url}/webhooks/fixture/openai/text/hook`,
			// Traces go to the mock upstream's OTLP collector, which logs each export under the tag "otlp".
			"--var",
			`OTEL_EXPORTER_OTLP_ENDPOINT:${upstream.url}/otlp/otlp`,
			"--show-interactive-dev-session=false",
			// GET /__scheduled?cron=… runs a cron trigger on demand, as under `npm run dev` (the channel probes' test).
			"--test-scheduled",
		],
		{ env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
	);
	child.stdout?.on("data", (d) => (output += d));
	child.stderr?.on("data", (d) => (output += d));
	const gatewayUrl = `http://127.0.0.1:${port}`;
	await waitUntilUp(gatewayUrl, child, () => output);

	project.provide("gatewayUrl", gatewayUrl);
	project.provide("adminToken", adminToken);
	project.provide("demoKey", demoKey);
	project.provide("upstreamUrl", upstream.url);
	// For a test that seeds rows no API writes yet (wrangler d1 execute --local --persist-to it).
	project.provide("statePath", state);

	return async () => {
		if (child.pid) process.kill(-child.pid, "SIGTERM");
		await upstream.close();
		rmSync(state, { recursive: true, force: true });
		// Everything the gateway logged over the whole e2e run, against every secret the run used.
		assertNoLeaks("wrangler dev's output", output.split("\n"), [adminToken, encryptionKey, demoKey, ...upstream.credentials()]);
	};
}

declare module "vitest" {
	export interface ProvidedContext {
		gatewayUrl: string;
		adminToken: string;
		demoKey: string;
		upstreamUrl: string;
		statePath: string;
	}
}
