// The benchmark's printed report: Markdown tables, so that a run can be pasted into docs/PERFORMANCE.md as is.
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

export interface Row {
	target: string;
	/** What hosted the target (none for the upstream called directly). */
	launcher?: string | undefined;
	scenario: string;
	label: string;
	connections: number;
	/**
	 * The plain OpenAI scenario this one is compared with: another client dialect on the same channel, or a request
	 * that names what a feature would use on a key without the feature.
	 */
	against?: string | undefined;
	requests: number;
	errors: number;
	warmupRequests: number;
	firstError: string | undefined;
	rps: number;
	p50: number;
	p99: number;
	ttfbP50: number;
	ttfbP99: number;
	/** CPU of the runtime's processes over the run (queue consumer included) per request served. */
	cpuMsPerRequest: number | undefined;
	peakRssMb: number | undefined;
}

/** The machine a run was on, as every report records it. */
export function machine(): Report["machine"] {
	return {
		cpu: cpus()[0]?.model ?? "unknown",
		cores: cpus().length,
		memoryGb: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		workerd: JSON.parse(readFileSync("node_modules/workerd/package.json", "utf8")).version,
	};
}

export interface Report {
	at: string;
	machine: { cpu: string; cores: number; memoryGb: number; node: string; workerd: string };
	settings: { durationMs: number; warmupMs: number; rounds: number; chunks: number; chunkDelayMs: number };
	/** One, or both side by side. */
	launchers: string[];
	launcherRows: Row[];
	/** Medians over the rounds. */
	rows: Row[];
	/** Every round's row. */
	raw: Row[];
	usage: { target: string; keys: number; channels: number; records: number; requests: number }[];
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(2));
const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");

function table(head: string[], body: string[][]): string {
	return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function rowTable(rows: Row[]): string {
	return table(
		["target", "scenario", "req/s", "p50 ms", "p99 ms", "TTFB p50", "TTFB p99", "CPU ms/req", "peak RSS MB", "errors"],
		rows.map((r) => [
			r.target,
			r.label,
			r.rps.toFixed(0),
			ms(r.p50),
			ms(r.p99),
			ms(r.ttfbP50),
			ms(r.ttfbP99),
			r.cpuMsPerRequest === undefined ? "–" : r.cpuMsPerRequest.toFixed(3),
			r.peakRssMb === undefined ? "–" : r.peakRssMb.toFixed(0),
			String(r.errors),
		]),
	);
}

const check = (ok: boolean) => (ok ? "met" : "**missed**");

export function formatReport(report: Report): string {
	const out: string[] = [];
	const m = report.machine;
	out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB; Node ${m.node}; workerd ${m.workerd}.`);
	out.push(
		`Runs: ${report.settings.rounds} rounds of ${report.settings.durationMs} ms for each target and scenario, each after ${report.settings.warmupMs} ms of warm-up, medians shown; streams of ${report.settings.chunks} chunks ${report.settings.chunkDelayMs} ms apart.`,
	);
	if (report.launcherRows.length > 0) {
		out.push("\n### Launcher (the pass-through floor, chat at 32 connections)\n");
		out.push(rowTable(report.launcherRows));
	}
	if (report.launchers.length > 1) out.push(sideBySide(report));
	for (const launcher of report.launchers) {
		// The upstream called directly belongs to every launcher's comparison.
		const rows = report.rows.filter((r) => r.launcher === undefined || r.launcher === launcher);
		out.push(`\n${report.launchers.length > 1 ? "## Under" : "Launcher used below:"} **${launcher}**`);
		out.push(launcherSections(report, rows));
	}
	return out.join("\n");
}

/** Gateway against floor under each launcher: where the launchers differ in what the gateway's own code costs. */
function sideBySide(report: Report): string {
	const body: string[][] = [];
	for (const scenario of [...new Set(report.rows.map((r) => r.scenario))]) {
		for (const launcher of report.launchers) {
			const g = report.rows.find((r) => r.target === "gateway" && r.launcher === launcher && r.scenario === scenario);
			const f = report.rows.find((r) => r.target === "floor" && r.launcher === launcher && r.scenario === scenario);
			if (!g || !f) continue;
			const cpu = (r: Row) => (r.cpuMsPerRequest === undefined ? "–" : r.cpuMsPerRequest.toFixed(3));
			const added = g.cpuMsPerRequest !== undefined && f.cpuMsPerRequest !== undefined ? signed(g.cpuMsPerRequest - f.cpuMsPerRequest) : "–";
			body.push([
				g.label,
				launcher,
				`${f.rps.toFixed(0)} → ${g.rps.toFixed(0)}`,
				ratio(g.rps / f.rps),
				signed(g.p50 - f.p50),
				`${cpu(f)} → ${cpu(g)}`,
				g.cpuMsPerRequest !== undefined && f.cpuMsPerRequest ? ratio(g.cpuMsPerRequest / f.cpuMsPerRequest) : "–",
				added,
			]);
		}
	}
	return [
		"\n### Launchers side by side: the gateway against the floor under each\n",
		table(
			["scenario", "launcher", "req/s floor → gateway", "req/s vs floor", "added p50 ms", "CPU ms/req floor → gateway", "CPU/req vs floor", "added CPU ms/req"],
			body,
		),
	].join("\n");
}

function launcherSections(report: Report, rows: Row[]): string {
	const find = (target: string, scenario: string) => rows.find((r) => r.target === target && r.scenario === scenario);
	const out: string[] = [];
	out.push("\n### Results\n");
	out.push(rowTable(rows));

	out.push("\n### Gateway against the floor and the upstream\n");
	const compared: string[][] = [];
	for (const g of rows.filter((r) => r.target === "gateway")) {
		const floor = find("floor", g.scenario);
		const direct = find("direct", g.scenario);
		if (!floor || !direct) continue;
		compared.push([
			g.label,
			ratio(g.rps / floor.rps),
			ratio(g.rps / direct.rps),
			signed(g.p50 - floor.p50),
			signed(g.p50 - direct.p50),
			signed(g.ttfbP50 - floor.ttfbP50),
			g.cpuMsPerRequest !== undefined && floor.cpuMsPerRequest ? ratio(g.cpuMsPerRequest / floor.cpuMsPerRequest) : "–",
		]);
	}
	out.push(
		table(
			["scenario", "req/s vs floor", "req/s vs direct", "added p50 ms vs floor", "added p50 ms vs direct", "added TTFB p50 ms vs floor", "CPU/req vs floor"],
			compared,
		),
	);

	out.push("\n### Against OpenAI clients on the same channel: Anthropic clients (translation), and requests naming an end user on a key with memory off\n");
	const translated: string[][] = [];
	for (const t of rows.filter((r) => r.target === "gateway" && r.against)) {
		const same = find("gateway", t.against ?? "");
		if (!same) continue;
		translated.push([
			t.label,
			ratio(t.rps / same.rps),
			signed(t.p50 - same.p50),
			signed(t.ttfbP50 - same.ttfbP50),
			t.cpuMsPerRequest !== undefined && same.cpuMsPerRequest
				? `${signed(t.cpuMsPerRequest - same.cpuMsPerRequest)} (${ratio(t.cpuMsPerRequest / same.cpuMsPerRequest)})`
				: "–",
		]);
	}
	out.push(table(["scenario", "req/s vs OpenAI client", "added p50 ms", "added TTFB p50 ms", "added CPU ms/req"], translated));

	out.push("\n### Scaling: 10,000 keys and 1,000 channels against one of each\n");
	const scaling: string[][] = [];
	for (const big of rows.filter((r) => r.target === "gateway-10k")) {
		const small = find("gateway", big.scenario);
		if (!small) continue;
		scaling.push([
			big.label,
			`${small.rps.toFixed(0)} → ${big.rps.toFixed(0)}`,
			`${ms(small.p50)} → ${ms(big.p50)}`,
			`${small.cpuMsPerRequest?.toFixed(3)} → ${big.cpuMsPerRequest?.toFixed(3)}`,
			small.cpuMsPerRequest && big.cpuMsPerRequest ? ratio(big.cpuMsPerRequest / small.cpuMsPerRequest) : "–",
		]);
	}
	out.push(table(["scenario", "req/s", "p50 ms", "CPU ms/req", "CPU/req ratio"], scaling));

	out.push("\n### Governors: a key with limits (never reached) against one without\n");
	const governed: string[][] = [];
	for (const lim of rows.filter((r) => r.target === "gateway-limits")) {
		const free = find("gateway", lim.scenario);
		if (!free) continue;
		governed.push([
			lim.label,
			ratio(lim.rps / free.rps),
			signed(lim.p50 - free.p50),
			signed(lim.ttfbP50 - free.ttfbP50),
			lim.cpuMsPerRequest !== undefined && free.cpuMsPerRequest
				? `${signed(lim.cpuMsPerRequest - free.cpuMsPerRequest)} (${ratio(lim.cpuMsPerRequest / free.cpuMsPerRequest)})`
				: "–",
		]);
	}
	out.push(table(["scenario", "req/s vs no limits", "added p50 ms", "added TTFB p50 ms", "added CPU ms/req"], governed));

	out.push("\n### Targets\n");
	const targets: string[][] = [];
	const g32 = find("gateway", "chat-32");
	const f32 = find("floor", "chat-32");
	if (g32 && f32) {
		targets.push(["throughput, chat at 32 conns ≥ 0.8 × floor", ratio(g32.rps / f32.rps), check(g32.rps >= 0.8 * f32.rps)]);
		if (g32.cpuMsPerRequest !== undefined && f32.cpuMsPerRequest) {
			const r = g32.cpuMsPerRequest / f32.cpuMsPerRequest;
			targets.push(["CPU per request, chat at 32 conns ≤ 1.3 × floor", ratio(r), check(r <= 1.3)]);
		}
	}
	const g1 = find("gateway", "chat-1");
	const f1 = find("floor", "chat-1");
	if (g1 && f1) targets.push(["added p50 at 1 conn ≤ 1 ms over floor", `${signed(g1.p50 - f1.p50)} ms`, check(g1.p50 - f1.p50 <= 1)]);
	for (const id of ["stream-1", "stream-32"]) {
		const gs = find("gateway", id);
		const fs = find("floor", id);
		if (!gs || !fs) continue;
		targets.push([`added stream TTFB p50 ≤ 1 ms over floor, ${gs.label}`, `${signed(gs.ttfbP50 - fs.ttfbP50)} ms`, check(gs.ttfbP50 - fs.ttfbP50 <= 1)]);
		const spread = report.settings.chunkDelayMs * (report.settings.chunks - 1);
		// Forwarded as they arrive: the first event comes long before the last, as it does from the upstream.
		targets.push([
			`chunks forwarded as they arrive (upstream spreads them over ${spread} ms), ${gs.label}`,
			`first at ${ms(gs.ttfbP50)} ms, last at ${ms(gs.p50)} ms`,
			check(gs.p50 - gs.ttfbP50 >= spread * 0.8),
		]);
	}
	const big = find("gateway-10k", "chat-32");
	if (g32 && big && g32.cpuMsPerRequest && big.cpuMsPerRequest) {
		const r = big.cpuMsPerRequest / g32.cpuMsPerRequest;
		targets.push(["CPU/req with 10k keys and 1k channels within 10% of 1 and 1", ratio(r), check(r <= 1.1)]);
	}
	out.push(table(["target", "measured", ""], targets));

	const usage = report.usage.filter((u) => rows.some((r) => r.launcher && u.target === `${r.target}@${r.launcher}`));
	if (usage.length > 0) {
		out.push("\n### Usage accounting (through the Queue, read from D1 after the run)\n");
		out.push(
			table(
				["target", "requests served", "usage records in D1"],
				usage.map((u) => [u.target, String(u.requests), String(u.records)]),
			),
		);
	}
	return out.join("\n");
}
