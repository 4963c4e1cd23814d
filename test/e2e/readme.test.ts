// The README's API examples, run as a user runs them (`npm run readme`): one bash script, top to bottom, with curl,
// against the e2e gateway. A command that answers other than the README says fails the test with its README line.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { readmeScript } from "../../scripts/readme-script.mjs";

function bash(file: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn("bash", [file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
		let output = "";
		child.stdout.on("data", (d) => (output += d));
		child.stderr.on("data", (d) => (output += d));
		child.on("error", reject);
		child.on("close", (code) => resolve({ code, output }));
	});
}

it("runs every README example in order, each answering as the README says", { timeout: 120_000 }, async () => {
	const dir = mkdtempSync(join(tmpdir(), "edge-gateway-readme-"));
	try {
		const file = join(dir, "readme.sh");
		writeFileSync(file, readmeScript(readFileSync("README.md", "utf8")));
		const run = await bash(
			file,
			{
				GW: inject("gatewayUrl"),
				ADMIN_TOKEN: inject("adminToken"),
				// The channel example's upstream: the loopback mock instead of DeepSeek, so that no test leaves the machine.
				DEEPSEEK_URL: `${inject("upstreamUrl")}/readme/ok/v1`,
				DEEPSEEK_KEY: "sk-readme-example",
			},
			dir,
		);
		expect(run.output).toContain("README examples: every command answered as the README says.");
		expect(run.output).not.toContain("README examples that failed");
		expect(run.code, run.output.slice(-4000)).toBe(0);
		// What the examples showed a reader: streamed chat, and the channel test through the (mock) DeepSeek channel.
		expect(run.output).toContain("data: [DONE]");
		expect(run.output).toMatch(/"ok":true,"model":"deepseek-chat"/);
		// The rerank example: the offline mock-rerank puts the document that answers the query first.
		expect(run.output).toMatch(/"model":"mock-rerank","results":\[\{"index":1,"relevance_score":0\.81\d*,"document":\{"text":"A circuit breaker opens/);
		expect(run.output).toContain("'documents': must not be empty");
		// The Files example: the here-doc's bytes back from R2, then the delete.
		expect(run.output).toContain("Refunds are accepted within 30 days of purchase.");
		expect(run.output).toMatch(/"id":"file-\w+","object":"file","deleted":true/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
