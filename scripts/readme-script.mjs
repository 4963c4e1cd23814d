#!/usr/bin/env node
// `npm run readme`: runs every `sh script` block of README.md, in order, as one bash script against $GW (default
// http://localhost:8787, i.e. `npm run dev`), and fails on a command that answers other than the README says.
// `npm run readme -- --print` prints the script instead. test/e2e/readme.test.ts runs it against the e2e gateway.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A fence whose info string is `sh script` opens a block that runs; any other fence is documentation only. */
const OPENS_SCRIPT = /^```sh\s+script\s*$/;
/** `curl …   # 403, why`: the status the command must answer instead of a 2xx. */
const EXPECTS = /^(\s*)(curl\s.*#\s*(\d{3})\b.*)$/;

/**
 * The README's script blocks as one bash script whose line N is README line N (blank outside the blocks), so that a
 * failure names the README's own line. Line 1 (a fence or text, never a block's line) sources the checking prelude.
 */
export function readmeScript(markdown, prelude = join(root, "scripts", "readme-prelude.sh")) {
	const lines = markdown.split("\n");
	const out = lines.map(() => "");
	let inScript = false;
	let inFence = false;
	for (const [i, line] of lines.entries()) {
		if (!inFence && line.startsWith("```")) {
			inFence = true;
			inScript = OPENS_SCRIPT.test(line);
			continue;
		}
		if (inFence && line.startsWith("```")) {
			inFence = false;
			inScript = false;
			continue;
		}
		if (inScript) out[i] = line.replace(EXPECTS, "$1EXPECT_STATUS=$3 $2");
	}
	out[0] = `. '${prelude.replaceAll("'", "'\\''")}'`;
	return `${out.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const script = readmeScript(readFileSync(join(root, "README.md"), "utf8"));
	if (process.argv.includes("--print")) {
		process.stdout.write(script);
	} else {
		// From a file, not stdin: a command of the script that reads stdin would otherwise eat the script.
		const dir = mkdtempSync(join(tmpdir(), "readme-"));
		const file = join(dir, "readme.sh");
		writeFileSync(file, script);
		const run = spawnSync("bash", [file], { stdio: ["ignore", "inherit", "inherit"], cwd: root });
		rmSync(dir, { recursive: true, force: true });
		process.exit(run.status ?? 1);
	}
}
