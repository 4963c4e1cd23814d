// Hosts one Worker in workerd through Miniflare's API, with the bindings wrangler.toml declares (D1, Queues,
// Durable Objects, assets) read by wrangler itself, so this stays in step with `wrangler dev`. It runs as its
// own process so that the benchmark can count its CPU apart from the load generator's.
//   node bench/miniflare-host.ts --config wrangler.toml --script dist/index.js [--persist dir] [--var K=V ...]
//     [--companion src/parser/wrangler.toml=dist/parser/index.js ...]   (Workers it binds as services, run beside it)
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

const { values } = parseArgs({
	options: {
		config: { type: "string" },
		script: { type: "string" },
		persist: { type: "string" },
		"inspector-port": { type: "string" },
		var: { type: "string", multiple: true, default: [] },
		companion: { type: "string", multiple: true, default: [] },
	},
});
if (!values.config || !values.script) throw new Error("--config and --script are required");

const vars = Object.fromEntries(values.var.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
const { workerOptions, externalWorkers } = unstable_getMiniflareWorkerOptions(resolve(values.config));
// The script is one bundled module, so wrangler's rules for importing other file types have nothing to do.
const { modulesRules: _, ...worker } = workerOptions;
const companions = values.companion.map((pair) => {
	const [config = "", script = ""] = pair.split("=");
	const { modulesRules: _rules, ...companion } = unstable_getMiniflareWorkerOptions(resolve(config)).workerOptions;
	// A service binding names its Worker, which wrangler's options leave out.
	const { name } = unstable_readConfig({ config: resolve(config) });
	return { ...companion, name, modules: true, scriptPath: resolve(script), modulesRoot: dirname(resolve(script)) };
});
// wrangler still speaks Miniflare's v4 option format; Miniflare 5 converts it.
const options = convertV4MiniflareOptions({
	workers: [
		{
			...worker,
			modules: true,
			scriptPath: resolve(values.script),
			modulesRoot: dirname(resolve(values.script)),
			bindings: { ...(worker.bindings as Record<string, string> | undefined), ...vars },
		},
		...companions,
		...externalWorkers,
	],
	host: "127.0.0.1",
	// A placeholder `request.cf`: the real one is fetched from Cloudflare, which a benchmark must not depend on.
	cf: false,
	port: 0,
	// The same layout as `wrangler dev --persist-to`, so `wrangler d1 migrations apply --persist-to` prepares it.
	resourcePersistencePath: values.persist ? resolve(values.persist, "v3") : undefined,
	log: new Log(LogLevel.WARN),
	// For `npm run bench -- --profile`: V8's inspector, to record a CPU profile of the Worker.
	inspectorPort: values["inspector-port"] ? Number(values["inspector-port"]) : undefined,
});
const mf = new Miniflare(options);
const url = await mf.ready;
console.log(JSON.stringify({ url: url.origin }));

process.on("SIGTERM", () => {
	mf.dispose().finally(() => process.exit(0));
});
