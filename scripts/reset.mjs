// `npm run reset [-- --yes]`: deletes the local state `npm run dev` made (the local D1 database, Durable Objects
// and queues under .wrangler/state, and the secrets in .dev.vars), so the next `npm run dev` starts afresh:
// new ADMIN_TOKEN and ENCRYPTION_KEY, migrations, the mock channel and a new demo key.
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";

// The project root is the script's own, so running it from another directory cannot delete that directory's files.
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const targets = [".wrangler/state", ".dev.vars"].filter((path) => existsSync(join(root, path)));

if (targets.length === 0) {
	console.log("Nothing to reset: there is no .wrangler/state or .dev.vars.");
	process.exit(0);
}

const listed = targets.join(" and ");
if (!process.argv.slice(2).some((arg) => arg === "--yes" || arg === "-y")) {
	if (!process.stdin.isTTY) {
		console.error(`Not deleting ${listed}: there is no terminal to confirm on. Run \`npm run reset -- --yes\` to delete without asking.`);
		process.exit(1);
	}
	const prompt = createInterface({ input: process.stdin, output: process.stdout });
	const answer = await prompt.question(`Delete ${listed} (local database, admin token, encryption key, every key and channel)? [y/N] `);
	prompt.close();
	if (!/^y(es)?$/i.test(answer.trim())) {
		console.log("Nothing deleted.");
		process.exit(1);
	}
}

for (const path of targets) rmSync(join(root, path), { recursive: true, force: true });
console.log(`Deleted ${listed}. The next \`npm run dev\` makes new secrets and prints a new demo key.`);
