import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
		expect(run.stdout).toContain("> wrangler deploy --dry-run --outdir dist");
		expect(existsSync(join(project.dir, "dashboard/dist/index.html"))).toBe(true);
		expect(existsSync(join(project.dir, "dist"))).toBe(true);
	} finally {
		project.remove();
	}
});
