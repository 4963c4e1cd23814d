// Starts a Worker on loopback under one of the two local launchers that run the real runtime with real local
// D1, Durable Objects and Queues: Miniflare driven directly, or `wrangler dev` (which adds a proxy worker in a
// second workerd in front of the user's). Each runs in its own process group, so stopping it stops all of it.
import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../scripts/free-port.mjs";

export type LauncherKind = "miniflare" | "wrangler-dev";

export interface WorkerSpec {
	/** A wrangler config file: its bindings are the Worker's bindings. */
	config: string;
	/** A bundled module for Miniflare (wrangler dev bundles `main` itself). */
	script: string;
	/** Workers bound to this one as services (the gateway's parser Worker), run beside it in the same runtime. */
	companions?: { config: string; script: string }[];
	/** Local state directory, as `--persist-to`. */
	persist?: string;
	vars: Record<string, string>;
	/**
	 * Expose V8's inspector on this port, to record a CPU profile. Under Miniflare it is workerd's own; under
	 * `wrangler dev` it is wrangler's inspector proxy, which relays to the Worker's (and is always connected to it).
	 */
	inspectorPort?: number | undefined;
}

export interface Launched {
	kind: LauncherKind;
	url: string;
	/** The launcher's root process: its tree is the runtime whose CPU and memory are measured. */
	pid: number;
	stop(): Promise<void>;
}

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

function stopper(child: ChildProcess): () => Promise<void> {
	return () =>
		new Promise((resolve) => {
			if (child.exitCode !== null || !child.pid) return resolve();
			const force = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), 10_000);
			child.once("exit", () => {
				clearTimeout(force);
				// Whatever the root left behind in its group goes too.
				try {
					process.kill(-(child.pid as number), "SIGKILL");
				} catch {
					// already gone
				}
				resolve();
			});
			process.kill(-child.pid, "SIGTERM");
		});
}

/**
 * The launcher's last output, for an error message. Only a tail is kept: a gateway logs a line per request, and this
 * process is also the load generator, so work per line here would be counted against the gateway's latency.
 */
function collectOutput(child: ChildProcess): () => string {
	let output = "";
	const keep = (d: Buffer) => {
		output = (output + d).slice(-4000);
	};
	child.stdout?.on("data", keep);
	child.stderr?.on("data", keep);
	return () => output;
}

async function untilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
	const until = Date.now() + 120_000;
	while (Date.now() < until) {
		if (child.exitCode !== null) throw new Error(`the launcher exited early:\n${output()}`);
		try {
			await fetch(url);
			return;
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
	throw new Error(`the launcher did not come up:\n${output()}`);
}

async function startMiniflare(spec: WorkerSpec): Promise<Launched> {
	const args = ["bench/miniflare-host.ts", "--config", spec.config, "--script", spec.script];
	for (const c of spec.companions ?? []) args.push("--companion", `${c.config}=${c.script}`);
	if (spec.persist) args.push("--persist", spec.persist);
	if (spec.inspectorPort) args.push("--inspector-port", String(spec.inspectorPort));
	for (const [k, v] of Object.entries(spec.vars)) args.push("--var", `${k}=${v}`);
	const child = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
	const output = collectOutput(child);
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`miniflare did not come up:\n${output()}`)), 120_000);
		const found = () => {
			const line = /\{"url":"([^"]+)"\}/.exec(output());
			if (!line?.[1]) return;
			clearTimeout(timer);
			child.stdout?.off("data", found);
			resolve(line[1]);
		};
		child.stdout?.on("data", found);
		child.once("exit", () => reject(new Error(`miniflare exited early:\n${output()}`)));
	});
	await untilAnswering(url, child, output);
	return { kind: "miniflare", url, pid: child.pid as number, stop: stopper(child) };
}

async function startWranglerDev(spec: WorkerSpec): Promise<Launched> {
	const port = await freePort();
	const args = ["dev", "--local", "--config", spec.config, "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
	// The first config is the Worker served; wrangler dev runs the others beside it and binds them to it.
	for (const c of spec.companions ?? []) args.push("--config", c.config);
	// Without this, wrangler dev prints a line per request: a cost of its own that a fair comparison leaves out.
	args.push("--log-level", "warn");
	if (spec.persist) args.push("--persist-to", spec.persist);
	if (spec.inspectorPort) args.push("--inspector-port", String(spec.inspectorPort));
	for (const [k, v] of Object.entries(spec.vars)) args.push("--var", `${k}:${v}`);
	const child = spawn("wrangler", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
	const output = collectOutput(child);
	const url = `http://127.0.0.1:${port}`;
	await untilAnswering(url, child, output);
	return { kind: "wrangler-dev", url, pid: child.pid as number, stop: stopper(child) };
}

export function launch(kind: LauncherKind, spec: WorkerSpec): Promise<Launched> {
	return kind === "miniflare" ? startMiniflare(spec) : startWranglerDev(spec);
}
