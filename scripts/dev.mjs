// `npm run dev [-- wrangler dev args]`: prepare local state, then run `wrangler dev` with the arguments given.
import { spawn } from "node:child_process";
import { devVar, ensureDevVars, prepareDatabase } from "./local-state.mjs";

const args = process.argv.slice(2);
if (ensureDevVars()) console.log("Created .dev.vars with a fresh ADMIN_TOKEN and ENCRYPTION_KEY.");
const demoKey = prepareDatabase();

const portAt = args.indexOf("--port");
const port = portAt >= 0 ? args[portAt + 1] : "8787";
const line = "─".repeat(72);
console.log(`\n${line}\n edge-gateway (local)`);
console.log(` Dashboard: http://localhost:${port}/  (sign in with the admin token below)`);
console.log(` Admin token (Authorization: Bearer …): ${devVar("ADMIN_TOKEN")}   [from .dev.vars]`);
if (demoKey) {
	console.log(` Demo gateway key, shown only this once: ${demoKey}`);
	console.log(`\n curl -N http://localhost:${port}/v1/chat/completions \\`);
	console.log(`   -H "Authorization: Bearer ${demoKey}" -H "Content-Type: application/json" \\`);
	console.log(`   -d '{"model":"mock-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}'`);
} else {
	// The demo key was printed on the first start only (the store keeps its hash): say how to get another.
	console.log(
		` No new demo key (already seeded). Make one: curl -s http://localhost:${port}/api/tokens -H "Authorization: Bearer ${devVar("ADMIN_TOKEN")}" -H "Content-Type: application/json" -d '{"name":"dev"}'  or start afresh: npm run reset`,
	);
}
console.log(`${line}\n`);

// --local: no remote bindings, so no Cloudflare login; Workers AI channels explain themselves instead.
// --test-scheduled: wrangler dev does not fire cron triggers; GET /__scheduled runs the rollups on demand.
const local = args.includes("--remote") ? [] : ["--local"];
// Vector stores embed with the offline mock's model locally, unless .dev.vars (or an argument) names another.
const embedding =
	devVar("VECTOR_EMBEDDING_MODEL") || args.some((a) => a.startsWith("VECTOR_EMBEDDING_MODEL:")) ? [] : ["--var", "VECTOR_EMBEDDING_MODEL:mock-embedding"];
// Memories are extracted by the offline mock's chat model locally, unless .dev.vars (or an argument) names another.
const memory = devVar("MEMORY_MODEL") || args.some((a) => a.startsWith("MEMORY_MODEL:")) ? [] : ["--var", "MEMORY_MODEL:mock-chat"];
// The parser Worker (src/parser/) runs in the same wrangler dev, which binds it to the gateway (the first config) as PARSER.
const configs = ["-c", "wrangler.toml", "-c", "src/parser/wrangler.toml"];
const child = spawn("wrangler", ["dev", ...configs, ...local, "--test-scheduled", ...embedding, ...memory, ...args], {
	stdio: "inherit",
	env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
