// `npm run deploy [-- --dry-run] [-- wrangler deploy args]`: builds the dashboard (the Worker's static assets),
// applies the D1 migrations to the remote database, deploys the parser Worker (src/parser/), then the gateway, which
// binds it as PARSER; the wrangler deploy args are the gateway's. With --dry-run nothing reaches Cloudflare: it builds,
// says which migration command it would run, and checks both bundles with `wrangler deploy --dry-run`.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const deployArgs = args.filter((arg) => arg !== "--dry-run");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

function run(command, commandArgs) {
	console.log(`\n> ${[command, ...commandArgs].join(" ")}`);
	const r = spawnSync(command, commandArgs, { stdio: "inherit", env });
	if (r.status !== 0) {
		console.error(`\n${command} ${commandArgs.join(" ")} failed (exit ${r.status ?? r.signal}); nothing after it was run.`);
		process.exit(r.status ?? 1);
	}
}

// Without dashboard/dist, `wrangler deploy` refuses the [assets] directory, so the build always comes first.
run("npm", ["run", "build"]);
// "DB" is the D1 binding in wrangler.toml; wrangler finds its database_name and database_id there.
const migrate = ["d1", "migrations", "apply", "DB", "--remote"];
if (dryRun) console.log(`\n(dry run) would run: wrangler ${migrate.join(" ")}`);
else run("wrangler", migrate);
// The parser first: the gateway's service binding names it, and should find it deployed.
// (wrangler puts a bundle's --outdir relative to the config's folder, hence the absolute path.)
run("wrangler", ["deploy", "--config", "src/parser/wrangler.toml", ...(dryRun ? ["--dry-run", "--outdir", resolve("dist/parser")] : [])]);
run("wrangler", ["deploy", ...(dryRun ? ["--dry-run", "--outdir", "dist"] : []), ...deployArgs]);
