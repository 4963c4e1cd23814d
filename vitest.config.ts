import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildParser } from "./scripts/build-parser.mjs";

import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "./test/support/constants.ts";
import { consoleLines } from "./test/support/secret-scan.ts";

/** The gateway's request log lines: kept for the secret scan, not printed (one per request of the suite). */
const REQUEST_LINE = /^\{"level":"info","event":"request/;
/** The parser Worker, built for the workers project, which runs it beside the gateway (the binding PARSER). */
const PARSER_SCRIPT = ".wrangler/test-parser/index.js";

export default defineConfig({
	test: {
		reporters: ["default", "./test/support/summary-reporter.ts"],
		// Every line is scanned for secrets when the run ends (test/support/upstream-global.ts, gateway-global.ts).
		onConsoleLog(log) {
			consoleLines().push(log);
			return !REQUEST_LINE.test(log);
		},
		projects: [
			{
				plugins: [
					cloudflareTest(async () => {
						// wrangler.toml requires these secrets, and wrangler warns each time it reads the config when neither .dev.vars nor
						// the environment has them (a fresh clone). The Worker under test gets the test values from the bindings
						// below, which win over either; the environment only answers wrangler's check.
						process.env.ADMIN_TOKEN ??= TEST_ADMIN_TOKEN;
						process.env.ENCRYPTION_KEY ??= TEST_ENCRYPTION_KEY;
						await buildParser(PARSER_SCRIPT);
						return {
							wrangler: { configPath: "./wrangler.toml" },
							// Tests never reach Cloudflare; the AI binding (remote-only) is simply absent from them.
							remoteBindings: false,
							miniflare: {
								// Named as wrangler.toml's service binding names it, so PARSER reaches it.
								workers: [{ name: "edge-gateway-parser", modules: true, scriptPath: PARSER_SCRIPT, compatibilityDate: "2026-11-01" }],
								bindings: {
									ADMIN_TOKEN: TEST_ADMIN_TOKEN,
									ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
									// Short timeouts so failover tests finish quickly; production defaults live in wrangler.toml.
									RELAY_FIRST_BYTE_TIMEOUT_MS: "800",
									STREAM_IDLE_TIMEOUT_MS: "1000",
									RELAY_DEADLINE_MS: "8000",
									MAX_BODY_BYTES: "65536",
									// Counts flushed right after each response, so that /metrics sees them without a wait.
									METRICS_FLUSH_MS: "0",
									// Small file limits, so that the tests reach them with small uploads.
									FILES_MAX_BYTES: "65536",
									FILES_QUOTA_BYTES_PER_USER: "262144",
									// Most tests make up model names; the refusal of unpriced models has its own test.
									ALLOW_UNPRICED_MODELS: "true",
									// Vector stores embed with the offline mock channel's model, as under `npm run dev`.
									VECTOR_EMBEDDING_MODEL: "mock-embedding",
									// And so does the semantic response cache (named, though it falls back to the above, so that it stays so).
									CACHE_EMBEDDING_MODEL: "mock-embedding",
									// Memories are extracted by the offline mock channel's chat model, as under `npm run dev`.
									MEMORY_MODEL: "mock-chat",
									TEST_MIGRATIONS: await readD1Migrations("./migrations"),
								},
							},
						};
					}),
				],
				test: {
					name: "workers",
					include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
					setupFiles: ["./test/support/apply-migrations.ts"],
					globalSetup: ["./test/support/upstream-global.ts"],
				},
			},
			{
				test: {
					name: "e2e",
					include: ["test/e2e/**/*.test.ts"],
					environment: "node",
					// The real mem0ai client is installed apart from the project (test/support/mem0-client) before the gateway starts.
					globalSetup: ["./test/support/mem0-global.ts", "./test/e2e/gateway-global.ts"],
					testTimeout: 30_000,
					hookTimeout: 180_000,
				},
			},
			{
				// Real client libraries against a loopback recorder, in node, with no gateway: what they send and how they read
				// the answers, which the gateway's routes are built to. The globalSetup installs the mem0ai client once.
				test: {
					name: "contracts",
					include: ["test/contracts/**/*.test.ts"],
					environment: "node",
					globalSetup: ["./test/support/mem0-global.ts"],
					hookTimeout: 120_000,
				},
			},
			{
				// The npm scripts (scripts/*.mjs), run as a user runs them: in node, on a copy of the project.
				test: {
					name: "scripts",
					include: ["test/scripts/**/*.test.ts"],
					environment: "node",
					testTimeout: 120_000,
				},
			},
		],
	},
});
