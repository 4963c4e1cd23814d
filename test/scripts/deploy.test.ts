import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { copyProject } from "./project-copy";

it("npm run deploy -- --dry-run succeeds on a fresh clone: builds the dashboard, skips the remote migration, checks the bundle", () => {
	const project = copyProject();
	try {
		expect(existsSync(join(project.dir, "dashboard/dist"))).toBe(false);
		const run = spawnSync(process.execPath, ["scripts/deploy.mjs", "--dry-run"], {
			cwd: project.dir,
			encoding: "utf8",
			env: { ...process.env, PATH: `${join(project.dir, "node_modules/.bin")}:${process.env.PATH ?? ""}` },
		});
		expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
		expect(run.stdout).toContain("(dry run) would run: wrangler d1 migrations apply DB --remote");
		// The parser Worker first: the gateway binds it.
		const parserAt = run.stdout.indexOf("> wrangler deploy --config src/parser/wrangler.toml --dry-run --outdir");
		expect(parserAt).toBeGreaterThanOrEqual(0);
		expect(parserAt).toBeLessThan(run.stdout.indexOf("> wrangler deploy --dry-run --outdir dist"));
		expect(existsSync(join(project.dir, "dashboard/dist/index.html"))).toBe(true);
		// PDF and Word parsing is the parser Worker's: pdf.js and mammoth are in its script, not in the gateway's, which
		// every isolate compiles when it starts.
		const gateway = readFileSync(join(project.dir, "dist/index.js"), "utf8");
		const parser = readFileSync(join(project.dir, "dist/parser/index.js"), "utf8");
		for (const library of ["node_modules/unpdf/", "node_modules/mammoth/"]) {
			expect(parser).toContain(library);
			expect(gateway).not.toContain(library);
		}
	} finally {
		project.remove();
	}
});
