// A throwaway copy of the project as a fresh clone has it: the files git tracks (and new ones it would), no build
// output, no .dev.vars, no .wrangler; node_modules is linked, as `npm ci` would have made it.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const projectRoot = resolve(import.meta.dirname, "../..");

export function copyProject(): { dir: string; remove: () => void } {
	const dir = mkdtempSync(join(tmpdir(), "edge-gateway-clone-"));
	const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: projectRoot, encoding: "utf8" })
		.split("\0")
		.filter((file) => file !== "" && file !== "node_modules");
	for (const file of files) {
		mkdirSync(dirname(join(dir, file)), { recursive: true });
		cpSync(join(projectRoot, file), join(dir, file));
	}
	symlinkSync(realpathSync(join(projectRoot, "node_modules")), join(dir, "node_modules"));
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
