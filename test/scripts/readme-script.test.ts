// The runner behind `npm run readme` and test/e2e/readme.test.ts: which blocks run, and what counts as a failure.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeScript } from "../../scripts/readme-script.mjs";

let server: Server;
let gw: string;

beforeAll(async () => {
	// /ok answers 200 with JSON, /gone 404, any other path 418; each echoes the URL asked for.
	server = createServer((req, res) => {
		const path = new URL(req.url ?? "/", "http://local").pathname;
		const status = path === "/ok" ? 200 : path === "/gone" ? 404 : 418;
		res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url, id: 7 }));
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	gw = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function run(markdown: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const dir = mkdtempSync(join(tmpdir(), "readme-script-"));
	const file = join(dir, "readme.sh");
	writeFileSync(file, readmeScript(markdown));
	return new Promise((resolve) => {
		const child = spawn("bash", [file], { env: { ...process.env, GW: gw }, stdio: ["ignore", "pipe", "pipe"] });
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (d) => (stdout += d));
		child.stderr.on("data", (d) => (stderr += d));
		child.on("close", (code) => {
			rmSync(dir, { recursive: true, force: true });
			resolve({ code, stdout, stderr });
		});
	});
}

describe("the README script", () => {
	it("runs only `sh script` blocks, in order, and says so when every answer was as written", async () => {
		const result = await run(
			[
				"# Title",
				"",
				"```sh",
				"curl -s $GW/never",
				"```",
				"```sh script",
				"ID=$(curl -s $GW/ok | sed 's/.*\"id\":\\([0-9]*\\).*/\\1/')",
				"curl -s $GW/ok?id=$ID",
				"curl -s $GW/gone   # 404, when it is gone",
				"```",
				"",
			].join("\n"),
		);
		expect(result.stderr).toContain("README examples: every command answered as the README says.");
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('"path":"/ok?id=7"');
		expect(result.stdout).not.toContain("/never");
	});

	it("names the README line of each command that answered otherwise, and exits 1", async () => {
		const markdown = [
			"# Title",
			"```sh script",
			"curl -s $GW/gone",
			"curl -s $GW/ok",
			"curl -s $GW/teapot   # 404",
			"curl -s http://127.0.0.1:1/closed",
			"```",
			"",
		].join("\n");
		const result = await run(markdown);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain("README.md:3: HTTP 404, expected 2xx");
		expect(result.stderr).toContain("README.md:5: HTTP 418, expected 404");
		expect(result.stderr).toMatch(/README\.md:6: curl failed \(exit 7\)/);
		expect(result.stderr).toContain("README examples that failed:");
		expect(result.stderr).not.toContain("README.md:4:");
	});

	it("keeps the README's line numbers", () => {
		const script = readmeScript(["# T", "text", "```sh script", "echo one", "```"].join("\n"));
		expect(script.split("\n")[3]).toBe("echo one");
		expect(script.split("\n")[0]).toMatch(/^\. '.*readme-prelude\.sh'$/);
	});
});
