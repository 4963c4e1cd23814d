// Bundles the parser Worker (src/parser/) into one ES module, for the runtimes that take built JavaScript: the
// workers test project runs it beside the gateway as an auxiliary Worker. (`wrangler dev` and `wrangler deploy`
// bundle it themselves from src/parser/wrangler.toml.) The options are those wrangler bundles a Worker with.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export async function buildParser(outfile) {
	await build({
		entryPoints: [fileURLToPath(new URL("../src/parser/index.mjs", import.meta.url))],
		outfile,
		bundle: true,
		format: "esm",
		target: "es2024",
		platform: "browser",
		conditions: ["workerd", "worker", "browser"],
		external: ["cloudflare:*"],
		logLevel: "warning",
	});
}
