// `npm run bench [-- options]`: the gateway against the floor of its runtime and against its upstream, on loopback.
// Everything it starts it stops; it prints a table and writes bench-results/bench-<time>.json.
// Targets are reported, never asserted: figures from a shared 2-core machine vary from run to run.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../scripts/free-port.mjs";
import { wrangler } from "../scripts/local-state.mjs";
import { ROUTING_POLICIES } from "../src/types/routing.ts";
import { type Launched, type LauncherKind, launch, type WorkerSpec } from "./launchers.ts";
import { quantile, runLoad } from "./load.ts";
import { cpuMs, watchPeakRss } from "./proc.ts";
import { openSession, recordProfile, type Session } from "./profile.ts";
import { formatReport, machine, type Report, type Row } from "./report.ts";
import { type Population, prepareGatewayState, usageRecords } from "./state.ts";

const { values: opts } = parseArgs({
	options: {
		"duration-ms": { type: "string", default: "3000" },
		"warmup-ms": { type: "string", default: "1000" },
		"max-requests": { type: "string", default: "200000" },
		// auto: the faster on the floor; or a comma-separated list, every target under each, side by side: miniflare,
		// wrangler-dev, miniflare+inspector (Miniflare holding an inspector session as wrangler dev does); both: the first two.
		launcher: { type: "string", default: "auto" },
		chunks: { type: "string", default: "8" },
		"chunk-delay-ms": { type: "string", default: "10" },
		rounds: { type: "string", default: "3" },
		// Also record a V8 CPU profile of the gateway Worker under one scenario, e.g. --profile stream-32 (under each launcher).
		profile: { type: "string" },
		// The domains miniflare+inspector enables: Runtime as wrangler dev does (runtime), or also Debugger as DevTools does (debugger).
		attach: { type: "string", default: "runtime" },
		// For quick iterations: comma-separated subsets, e.g. --targets floor,gateway --scenarios chat-1,chat-32
		targets: { type: "string", default: "direct,floor,gateway,gateway-10k,gateway-limits,gateway-quiet,gateway-traced" },
		scenarios: { type: "string" },
	},
});
const durationMs = Number(opts["duration-ms"]);
const warmupMs = Number(opts["warmup-ms"]);
const maxRequests = Number(opts["max-requests"]);
const rounds = Number(opts.rounds);
// Time for the usage queue's consumer to write what the run produced, so that its CPU is counted too.
const SETTLE_MS = 1500;
/** The gateway's parser Worker, bound to it as PARSER: run beside every gateway launched. */
const PARSER_CONFIG = "src/parser/wrangler.toml";

export interface Scenario {
	id: string;
	label: string;
	path: string;
	body: string;
	connections: number;
	/**
	 * Only the gateway serves it (another dialect than the upstream's, or a gateway field), compared with this plain
	 * OpenAI scenario.
	 */
	against?: string;
}

const messages = [
	{ role: "system", content: "You are a terse assistant." },
	{ role: "user", content: "In one sentence, why do gateways measure their own overhead?" },
];
const chat = JSON.stringify({ model: "bench-chat", messages, max_tokens: 32 });
const streamed = JSON.stringify({ model: "bench-chat", messages, max_tokens: 32, stream: true });
// The same conversation as an Anthropic client sends it, to a channel that speaks OpenAI: translation both ways.
const anthropic = JSON.stringify({ model: "bench-chat", system: messages[0]?.content, messages: messages.slice(1), max_tokens: 32 });
const anthropicStreamed = JSON.stringify({ model: "bench-chat", system: messages[0]?.content, messages: messages.slice(1), max_tokens: 32, stream: true });
// The OpenAI chat naming its end user, as an app with memory would, on a key whose memory_mode is off: what a
// request that does not use memory pays for it (the key's field is read; nothing is searched or kept).
const chatNamingUser = JSON.stringify({ model: "bench-chat", messages, max_tokens: 32, user: "bench-user", memory: { user_id: "bench-user" } });
// The same chat as a Responses call: with `store: false` the plain relay path; left out, OpenAI's default `store: true`
// keeps each response (one D1 batch before the last byte).
const responsesCall = { model: "bench-chat", instructions: messages[0]?.content, input: messages[1]?.content, max_output_tokens: 32 };
const responsesNoStore = JSON.stringify({ ...responsesCall, store: false });
const responsesStored = JSON.stringify(responsesCall);
const embed = JSON.stringify({ model: "bench-embedding", input: "The quick brown fox jumps over the lazy dog." });

// The chat through an alias of one model served by five channels, one alias per routing policy (bench/state.ts):
// what choosing the channel costs each policy, against the plain chat (one channel, no route).
const policyScenarios: Scenario[] = ROUTING_POLICIES.map((policy) => ({
	id: `policy-${policy}-32`,
	label: `chat, ${policy} of 5, 32 conns`,
	path: "/v1/chat/completions",
	body: JSON.stringify({ model: `bench-${policy}`, messages, max_tokens: 32, user: "bench-user" }),
	connections: 32,
	against: "chat-32",
}));

const SCENARIOS: Scenario[] = [
	{ id: "chat-1", label: "chat, 1 conn", path: "/v1/chat/completions", body: chat, connections: 1 },
	{ id: "chat-32", label: "chat, 32 conns", path: "/v1/chat/completions", body: chat, connections: 32 },
	{ id: "chat-128", label: "chat, 128 conns", path: "/v1/chat/completions", body: chat, connections: 128 },
	{ id: "stream-1", label: "stream, 1 conn", path: "/v1/chat/completions", body: streamed, connections: 1 },
	{ id: "stream-32", label: "stream, 32 conns", path: "/v1/chat/completions", body: streamed, connections: 32 },
	{ id: "embed-32", label: "embeddings, 32 conns", path: "/v1/embeddings", body: embed, connections: 32 },
	{
		id: "memory-off-32",
		label: "chat naming an end user, memory off, 32 conns",
		path: "/v1/chat/completions",
		body: chatNamingUser,
		connections: 32,
		against: "chat-32",
	},
	{ id: "responses-nostore-32", label: "responses, store false, 32 conns", path: "/v1/responses", body: responsesNoStore, connections: 32, against: "chat-32" },
	{ id: "responses-store-32", label: "responses, stored, 32 conns", path: "/v1/responses", body: responsesStored, connections: 32, against: "chat-32" },
	{ id: "anthropic-32", label: "anthropic → openai, 32 conns", path: "/v1/messages", body: anthropic, connections: 32, against: "chat-32" },
	{
		id: "anthropic-stream-32",
		label: "anthropic stream → openai, 32 conns",
		path: "/v1/messages",
		body: anthropicStreamed,
		connections: 32,
		against: "stream-32",
	},
	...policyScenarios,
];
const chosen = new Set(opts.scenarios?.split(",") ?? SCENARIOS.map((s) => s.id));
const scenarios = SCENARIOS.filter((s) => chosen.has(s.id));
const scaling = scenarios.filter((s) => ["chat-1", "chat-32", "stream-32"].includes(s.id));
const passThrough = scenarios.filter((s) => !s.against);
const targets = new Set(opts.targets.split(","));

const encryptionKey = randomBytes(32).toString("base64");
const adminToken = `adm-${randomBytes(16).toString("hex")}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startUpstream(): Promise<{ url: string; stop: () => void }> {
	const child = spawn(process.execPath, ["bench/upstream.ts", "--chunks", opts.chunks, "--chunk-delay-ms", opts["chunk-delay-ms"]], {
		stdio: ["ignore", "pipe", "inherit"],
	});
	const url = await new Promise<string>((resolve, reject) => {
		child.stdout.once("data", (d: Buffer) => resolve(JSON.parse(d.toString()).url));
		child.once("exit", (code) => reject(new Error(`the mock upstream exited with ${code}`)));
	});
	return { url, stop: () => child.kill("SIGTERM") };
}

interface Target {
	name: string;
	/** Headers every request to it carries besides the key's (a cache directive). */
	headers?: Record<string, string>;
	/** What hosts it; the mock upstream called directly has none. */
	launcher?: Launcher;
	url: string;
	key: string;
	/** The runtime's root process, when there is one to measure. */
	pid?: number;
}

const nameOf = (t: { name: string; launcher?: string | undefined }) => (t.launcher ? `${t.name}@${t.launcher}` : t.name);
const headersFor = (target: Target) => ({ "content-type": "application/json", authorization: `Bearer ${target.key}`, ...target.headers });

async function measure(target: Target, scenario: Scenario): Promise<Row> {
	const spec = {
		url: target.url + scenario.path,
		headers: headersFor(target),
		body: scenario.body,
		connections: scenario.connections,
		maxRequests,
	};
	const warmup = await runLoad({ ...spec, durationMs: warmupMs });
	const cpuBefore = target.pid ? cpuMs(target.pid) : 0;
	const peak = target.pid ? watchPeakRss(target.pid) : undefined;
	const result = await runLoad({ ...spec, durationMs });
	await sleep(SETTLE_MS);
	const cpu = target.pid ? cpuMs(target.pid) - cpuBefore : undefined;
	const peakRss = peak?.();
	const row: Row = {
		target: target.name,
		launcher: target.launcher,
		scenario: scenario.id,
		label: scenario.label,
		connections: scenario.connections,
		against: scenario.against,
		requests: result.requests,
		errors: result.errors,
		warmupRequests: warmup.requests + warmup.errors,
		firstError: result.firstError,
		rps: (result.requests / result.elapsedMs) * 1000,
		p50: quantile(result.latencyMs, 0.5),
		p99: quantile(result.latencyMs, 0.99),
		ttfbP50: quantile(result.ttfbMs, 0.5),
		ttfbP99: quantile(result.ttfbMs, 0.99),
		cpuMsPerRequest: cpu === undefined ? undefined : cpu / Math.max(1, result.requests + result.errors),
		peakRssMb: peakRss === undefined ? undefined : peakRss / 2 ** 20,
	};
	const ms = (v: number) => v.toFixed(2);
	console.log(
		`  ${nameOf(target).padEnd(29)} ${scenario.label.padEnd(22)} ${row.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(row.p50)} ms  ttfb p50 ${ms(row.ttfbP50)} ms` +
			`${row.cpuMsPerRequest === undefined ? "" : `  cpu ${row.cpuMsPerRequest.toFixed(3)} ms/req`}${row.errors ? `  errors ${row.errors}: ${row.firstError}` : ""}`,
	);
	return row;
}

/** One row per target and scenario from several rounds: medians of the figures, sums of the counts. */
function combine(rounds: Row[]): Row {
	const median = (pick: (r: Row) => number | undefined) => {
		const values = rounds.map(pick).filter((v): v is number => v !== undefined && !Number.isNaN(v));
		if (values.length === 0) return undefined;
		values.sort((a, b) => a - b);
		return values[Math.floor(values.length / 2)];
	};
	const sum = (pick: (r: Row) => number) => rounds.reduce((n, r) => n + pick(r), 0);
	const [first] = rounds as [Row];
	return {
		...first,
		requests: sum((r) => r.requests),
		errors: sum((r) => r.errors),
		warmupRequests: sum((r) => r.warmupRequests),
		firstError: rounds.find((r) => r.firstError)?.firstError,
		rps: median((r) => r.rps) ?? Number.NaN,
		p50: median((r) => r.p50) ?? Number.NaN,
		p99: median((r) => r.p99) ?? Number.NaN,
		ttfbP50: median((r) => r.ttfbP50) ?? Number.NaN,
		ttfbP99: median((r) => r.ttfbP99) ?? Number.NaN,
		cpuMsPerRequest: median((r) => r.cpuMsPerRequest),
		peakRssMb: rounds.some((r) => r.peakRssMb !== undefined) ? Math.max(...rounds.map((r) => r.peakRssMb ?? 0)) : undefined,
	};
}

/** Responses a target served, warm-ups included: each one should have left a usage record. */
const served = (rows: Row[]) => rows.reduce((n, r) => n + r.requests + r.errors + r.warmupRequests, 0);

interface Live extends Target {
	scenarios: Scenario[];
	/** For a gateway: its local state, and the population seeded there. */
	persist?: string;
	population?: Population;
	stop?: () => Promise<void>;
	inspectorPort?: number | undefined;
	/** Requests served while its profile was recorded. */
	profiledRequests?: number;
	/** The inspector session held open by miniflare+inspector, or for --profile. */
	session?: Session | undefined;
}

/** A launcher, or Miniflare with an inspector session held open on each Worker, as wrangler dev holds one. */
type Launcher = LauncherKind | "miniflare+inspector";
const LAUNCHERS: Launcher[] = ["miniflare", "wrangler-dev", "miniflare+inspector"];
const kindOf = (launcher: Launcher): LauncherKind => (launcher === "miniflare+inspector" ? "miniflare" : launcher);

const ATTACH: Record<string, string[]> = { runtime: ["Runtime.enable"], debugger: ["Runtime.enable", "Debugger.enable"] };
const attached = ATTACH[opts.attach];
if (!attached) throw new Error(`--attach: one of ${Object.keys(ATTACH).join(", ")}`);

/** An inspector port for a Worker that will be profiled or attached to. */
async function inspectorFor(launcher: Launcher, name: string): Promise<number | undefined> {
	return launcher === "miniflare+inspector" || (opts.profile && name === "gateway") ? await freePort() : undefined;
}

/** Under miniflare+inspector, a session on the Worker with --attach's domains enabled, open until the end. */
async function attach(launcher: Launcher, inspectorPort: number | undefined, worker: string): Promise<Session | undefined> {
	if (launcher !== "miniflare+inspector" || !inspectorPort || !attached) return undefined;
	const session = await openSession(inspectorPort, worker);
	for (const method of attached) await session.call(method);
	return session;
}

interface Setup {
	started: (kind: LauncherKind, spec: WorkerSpec) => Promise<Launched>;
	floorSpec: WorkerSpec;
	floorKey: string;
	gatewayScript: string;
	parserScript: string;
	work: string;
	upstream: string;
}

/** The floor and the gateways the options ask for, under one launcher, each with its own local state. */
async function startTargets(launcher: Launcher, setup: Setup): Promise<Live[]> {
	const live: Live[] = [];
	if (targets.has("floor")) {
		const inspectorPort = await inspectorFor(launcher, "floor");
		const floor = await setup.started(kindOf(launcher), { ...setup.floorSpec, inspectorPort });
		const session = await attach(launcher, inspectorPort, "core:user:edge-gateway-floor");
		live.push({ name: "floor", launcher, url: floor.url, key: setup.floorKey, pid: floor.pid, scenarios: passThrough, session });
	}
	const gateways: { name: string; population: Population; scenarios: Scenario[]; vars?: Record<string, string>; headers?: Record<string, string> }[] = [
		{ name: "gateway", population: { keys: 1, channels: 1 }, scenarios },
		{ name: "gateway-10k", population: { keys: 10_000, channels: 1_000 }, scenarios: scaling },
		// The same key with limits it never reaches: what its governor costs on the hot path.
		{ name: "gateway-limits", population: { keys: 1, channels: 1, limits: true }, scenarios: scaling },
		// Without /metrics counting and request logs (METRICS, REQUEST_LOGS off): what observing each request costs.
		{ name: "gateway-quiet", population: { keys: 1, channels: 1 }, scenarios: scaling, vars: { METRICS: "off", REQUEST_LOGS: "off" } },
		// Anomaly detection off (ANOMALY_POLICY, which the bench key follows): against `gateway` (the default, "alert"),
		// what profiling each request costs (a map update, and one call to the key's governor per second, after the response).
		{ name: "gateway-anomaly-off", population: { keys: 1, channels: 1 }, scenarios: scaling, vars: { ANOMALY_POLICY: "off" } },
		// The key's exact response cache on: every request after the first is a hit served from KV (streamed ones replayed).
		{ name: "gateway-cache", population: { keys: 1, channels: 1, cache: { mode: "exact" } }, scenarios: scaling },
		// The same key, each request asking `Cache-Control: no-cache`: every one goes upstream and its answer is kept, a miss's
		// work but the KV read (a real miss adds one read of a key that is not there).
		{
			name: "gateway-cache-miss",
			population: { keys: 1, channels: 1, cache: { mode: "exact" } },
			scenarios: scaling,
			headers: { "cache-control": "no-cache" },
		},
		// With tracing on, every request's spans exported to the upstream's stand-in collector: what tracing costs.
		{
			name: "gateway-traced",
			population: { keys: 1, channels: 1 },
			scenarios: scaling,
			vars: { OTEL_EXPORTER_OTLP_ENDPOINT: `${setup.upstream}/otlp` },
		},
	];
	for (const g of gateways.filter((g) => targets.has(g.name))) {
		const persist = join(setup.work, `${g.name}-${launcher}`);
		mkdirSync(persist);
		console.log(`Seeding ${g.name}@${launcher}: ${g.population.keys} keys, ${g.population.channels} channels`);
		const key = await prepareGatewayState(persist, setup.upstream, encryptionKey, g.population);
		const inspectorPort = await inspectorFor(launcher, g.name);
		const gateway = await setup.started(kindOf(launcher), {
			config: "wrangler.toml",
			script: setup.gatewayScript,
			companions: [{ config: PARSER_CONFIG, script: setup.parserScript }],
			persist,
			vars: { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: encryptionKey, ...g.vars },
			inspectorPort,
		});
		const session = await attach(launcher, inspectorPort, "core:user:edge-gateway");
		live.push({
			name: g.name,
			launcher,
			url: gateway.url,
			key,
			...(g.headers ? { headers: g.headers } : {}),
			pid: gateway.pid,
			inspectorPort,
			scenarios: g.scenarios,
			persist,
			population: g.population,
			stop: gateway.stop,
			session,
		});
	}
	return live;
}

/** What the Worker told its inspector while it served: exceptions and console calls each cost it a report. */
function reportEvents(target: Live, session: Session): void {
	for (const [what, count] of session.events) console.log(`  ${nameOf(target)}: ${count} × ${what}`);
}

/** Records a CPU profile of a gateway under load and writes it to bench-results; returns the file. */
async function profile(target: Live): Promise<string> {
	const scenario = SCENARIOS.find((s) => s.id === opts.profile);
	if (!scenario || !target.inspectorPort) throw new Error(`--profile: no scenario '${opts.profile}'`);
	console.log(`Recording a CPU profile of ${nameOf(target)} (${scenario.label})…`);
	const load = { url: target.url + scenario.path, headers: headersFor(target), body: scenario.body, connections: scenario.connections, maxRequests };
	const session = target.session ?? (await openSession(target.inspectorPort, "core:user:edge-gateway"));
	let requests = 0;
	const recorded = await recordProfile(session, async () => {
		const result = await runLoad({ ...load, durationMs });
		requests = result.requests + result.errors;
	});
	// Served too: each left a usage record.
	target.profiledRequests = requests;
	if (!target.session) {
		reportEvents(target, session);
		session.close();
	}
	mkdirSync("bench-results", { recursive: true });
	const file = join("bench-results", `${nameOf(target)}-${scenario.id}-${new Date().toISOString().replaceAll(":", "-")}.cpuprofile`);
	writeFileSync(file, JSON.stringify(recorded));
	return file;
}

async function main() {
	const work = mkdtempSync(join(tmpdir(), "edge-gateway-bench-"));
	const stops: (() => unknown)[] = [() => rmSync(work, { recursive: true, force: true })];
	const stopAll = async () => {
		for (const stop of stops.reverse()) await stop();
	};
	process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
	try {
		console.log("Bundling the gateway and its parser Worker (wrangler deploy --dry-run)…");
		const buildDir = join(work, "build");
		wrangler(["deploy", "--dry-run", "--outdir", buildDir], { capture: true });
		const gatewayScript = join(buildDir, "index.js");
		wrangler(["deploy", "--dry-run", "--config", PARSER_CONFIG, "--outdir", join(buildDir, "parser")], { capture: true });
		const parserScript = join(buildDir, "parser", "index.js");

		const upstream = await startUpstream();
		stops.push(upstream.stop);
		const floorKey = `sk-floor-${randomBytes(16).toString("hex")}`;
		const floorSpec = { config: "bench/floor/wrangler.toml", script: "bench/floor/worker.js", vars: { UPSTREAM_URL: upstream.url, FLOOR_KEY: floorKey } };

		const started = async (kind: LauncherKind, spec: WorkerSpec): Promise<Launched> => {
			const launched = await launch(kind, spec);
			stops.push(launched.stop);
			return launched;
		};

		// Which launcher: measured on the floor Worker, where the launcher's own cost is the largest share.
		const launcherRows: Row[] = [];
		let launchers: Launcher[];
		if (opts.launcher === "auto") {
			console.log("\nChoosing a launcher: the pass-through floor, chat at 32 connections, under each");
			for (const kind of ["wrangler-dev", "miniflare"] as const) {
				const floor = await started(kind, floorSpec);
				const chat32 = SCENARIOS.find((s) => s.id === "chat-32") as Scenario;
				launcherRows.push(await measure({ name: `floor@${kind}`, url: floor.url, key: floorKey, pid: floor.pid }, chat32));
				await floor.stop();
			}
			const [wranglerRow, miniflareRow] = launcherRows as [Row, Row];
			launchers = [miniflareRow.rps >= wranglerRow.rps ? "miniflare" : "wrangler-dev"];
		} else {
			const asked = (opts.launcher === "both" ? "miniflare,wrangler-dev" : opts.launcher).split(",");
			launchers = LAUNCHERS.filter((l) => asked.includes(l));
			if (launchers.length !== asked.length) throw new Error(`--launcher: auto, both, or a list of ${LAUNCHERS.join(", ")}`);
		}
		console.log(`\nLauncher: ${launchers.join(" and ")}`);

		// All targets stay up for the whole run and take turns, round after round, so that drift in a shared
		// machine's speed touches them alike; an idle target costs nothing.
		const live: Live[] = [];
		if (targets.has("direct")) live.push({ name: "direct", url: upstream.url, key: "direct", scenarios: passThrough });
		for (const launcher of launchers)
			live.push(...(await startTargets(launcher, { started, floorSpec, floorKey, gatewayScript, parserScript, work, upstream: upstream.url })));

		console.log(`\nMeasuring: ${rounds} rounds, the targets taking turns`);
		const raw: Row[] = [];
		for (const scenario of scenarios) {
			for (let round = 0; round < rounds; round++) {
				const turn = [...live.slice(round % live.length), ...live.slice(0, round % live.length)];
				for (const target of turn) if (target.scenarios.includes(scenario)) raw.push(await measure(target, scenario));
			}
		}
		const profileFiles: string[] = [];
		const profiled = opts.profile ? live.filter((t) => t.name === "gateway") : [];
		for (const target of profiled) profileFiles.push(await profile(target));
		for (const t of live) if (t.session) reportEvents(t, t.session);
		const rows = live.flatMap((t) =>
			t.scenarios.map((s) => combine(raw.filter((r) => r.target === t.name && r.launcher === t.launcher && r.scenario === s.id))),
		);

		const usage: Report["usage"] = [];
		for (const t of live) {
			if (!t.persist || !t.population) continue;
			await sleep(SETTLE_MS);
			// Read after the gateway stopped, so that nothing is still being written.
			await t.stop?.();
			const own = raw.filter((r) => r.target === t.name && r.launcher === t.launcher);
			usage.push({ target: nameOf(t), ...t.population, records: usageRecords(t.persist), requests: served(own) + (t.profiledRequests ?? 0) });
		}

		const report: Report = {
			at: new Date().toISOString(),
			machine: machine(),
			settings: { durationMs, warmupMs, rounds, chunks: Number(opts.chunks), chunkDelayMs: Number(opts["chunk-delay-ms"]) },
			launchers,
			launcherRows,
			rows,
			raw,
			usage,
		};
		console.log(`\n${formatReport(report)}`);
		mkdirSync("bench-results", { recursive: true });
		const file = join("bench-results", `bench-${report.at.replaceAll(":", "-")}.json`);
		writeFileSync(file, `${JSON.stringify(report, null, "\t")}\n`);
		console.log(`\nWrote ${[file, ...profileFiles].join(" and ")}`);
	} finally {
		await stopAll();
	}
}

await main();
