import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyProject } from "./project-copy";

describe("npm run reset", () => {
	let project: { dir: string; remove: () => void };
	const path = (file: string) => join(project.dir, file);

	beforeEach(() => {
		project = copyProject();
		// What `npm run dev` leaves behind: local D1 / Durable Object state and the secrets file.
		mkdirSync(path(".wrangler/state/v3/d1"), { recursive: true });
		writeFileSync(path(".wrangler/state/v3/d1/db.sqlite"), "");
		writeFileSync(path(".dev.vars"), "ADMIN_TOKEN=adm-x\nENCRYPTION_KEY=y\n");
	});
	afterEach(() => project.remove());

	// Run from elsewhere, as `npm run` may be: the script acts on its own project, not the working directory.
	function reset(...args: string[]) {
		const elsewhere = mkdtempSync(join(tmpdir(), "edge-gateway-cwd-"));
		try {
			return spawnSync(process.execPath, [path("scripts/reset.mjs"), ...args], { cwd: elsewhere, input: "y\n", encoding: "utf8" });
		} finally {
			rmSync(elsewhere, { recursive: true, force: true });
		}
	}

	it("with --yes deletes the local state and the secrets, and nothing else", () => {
		const run = reset("--yes");
		expect(run.status).toBe(0);
		expect(run.stdout).toContain("Deleted .wrangler/state and .dev.vars");
		expect(existsSync(path(".wrangler/state"))).toBe(false);
		expect(existsSync(path(".dev.vars"))).toBe(false);
		expect(existsSync(path(".dev.vars.example"))).toBe(true);
		expect(existsSync(path("wrangler.toml"))).toBe(true);
		// A second reset has nothing left to delete and says so.
		const again = reset("--yes");
		expect(again.status).toBe(0);
		expect(again.stdout).toContain("Nothing to reset");
	});

	it("without --yes and without a terminal refuses, says how, and deletes nothing (even given a 'y' on stdin)", () => {
		const run = reset();
		expect(run.status).toBe(1);
		expect(run.stderr).toContain("npm run reset -- --yes");
		expect(existsSync(path(".wrangler/state/v3/d1/db.sqlite"))).toBe(true);
		expect(existsSync(path(".dev.vars"))).toBe(true);
	});
});
