// The operators' files (ops/grafana/*.json, ops/prometheus/alerts.yml) name only what GET /metrics exposes.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JOB_QUEUES } from "../../queues/job-queues";
import { FAMILIES } from "../../src/observability/metric-families";
import { parseBlockYaml } from "../support/block-yaml";
import { promqlProblems, promqlRefs } from "../support/promql-refs";

const families = Object.values(FAMILIES);
const root = join(import.meta.dirname, "../..");
const GRAFANA = join(root, "ops/grafana");
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, which the dashboards must hold as is.
const DATASOURCE = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

/** Labels a Grafana legend (`{{model}}`) or an alert template (`{{ $labels.model }}`) prints. */
const printed = (template: string, pattern: RegExp) => [...template.matchAll(pattern)].map((m) => m[1] ?? "");
const legendLabels = (legend: string) => printed(legend, /\{\{\s*(\w+)\s*\}\}/g);
const annotationLabels = (text: string) => printed(text, /\$labels\.(\w+)/g);

const target = z.object({ refId: z.string(), expr: z.string(), legendFormat: z.string().optional(), datasource: z.unknown() });
interface Panel {
	id: number;
	type: string;
	title: string;
	datasource?: unknown;
	gridPos: { x: number; y: number; w: number; h: number };
	targets?: z.infer<typeof target>[];
	panels?: Panel[];
}
const panel: z.ZodType<Panel> = z.lazy(() =>
	z.object({
		id: z.number().int(),
		type: z.string(),
		title: z.string().min(1),
		datasource: z.unknown().optional(),
		gridPos: z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1), h: z.number().int().min(1) }),
		targets: z.array(target).optional(),
		panels: z.array(panel).optional(),
	}),
);
const variable = z.object({ name: z.string(), type: z.string(), query: z.union([z.string(), z.object({ query: z.string() })]).optional() });
const dashboard = z.object({
	uid: z.string().min(1),
	title: z.string().min(1),
	panels: z.array(panel).min(1),
	templating: z.object({ list: z.array(variable) }),
});

const rules = z.object({
	groups: z
		.array(
			z.object({
				name: z.string(),
				rules: z
					.array(
						z
							.object({
								alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
								expr: z.string(),
								for: z.string().regex(/^\d+[smhd]$/),
								labels: z.object({ severity: z.enum(["critical", "warning", "info"]) }).strict(),
								annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }).strict(),
							})
							.strict(),
					)
					.min(1),
			}),
		)
		.min(1),
});

const dashboards = readdirSync(GRAFANA)
	.filter((f) => f.endsWith(".json"))
	.sort();

const allPanels = (panels: readonly Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

/** The values the gateway gives the labels of queue_messages_total and dead_jobs (queues/queue-stats.ts, routes/metrics.ts). */
const LABEL_VALUES: Record<string, readonly string[]> = { queue: JOB_QUEUES, outcome: ["acked", "retried", "deferred", "dead"] };

/**
 * Label matchers (`queue="usage"`, `outcome=~"retried|dead"`) and Jobs API paths (`/api/jobs/ingest/pause`) naming a
 * queue or an outcome the gateway never uses: the queues go by the Jobs API's short names, not Cloudflare's.
 */
function labelValueProblems(text: string): string[] {
	const problems: string[] = [];
	const check = (label: string, op: string, value: string) => {
		const values = op === "=~" ? value.split("|") : [value];
		for (const v of values) if (!LABEL_VALUES[label]?.includes(v)) problems.push(`${label}${op}"${value}": no ${label} is called ${v}`);
	};
	for (const [, op = "", value = ""] of text.matchAll(/\bqueue\s*(=~|=)\s*"([^"]*)"/g)) check("queue", op, value);
	// Other families have an outcome label of their own (memory_extractions_total).
	for (const [, body = ""] of text.matchAll(/\bqueue_messages_total\s*\{([^}]*)\}/g)) {
		for (const [, op = "", value = ""] of body.matchAll(/\boutcome\s*(=~|=)\s*"([^"]*)"/g)) check("outcome", op, value);
	}
	for (const m of text.matchAll(/\/api\/jobs\/([\w-]+)\/(pause|resume)/g)) {
		if (!JOB_QUEUES.some((q) => q === m[1])) problems.push(`${m[0]}: no queue is called ${m[1]}`);
	}
	return problems;
}

describe("ops/grafana dashboards", () => {
	it("are the four the handbook names", () => {
		expect(dashboards).toEqual(["billing.json", "knowledge.json", "relay.json", "system-overview.json"]);
	});

	it.each(dashboards)("%s: importable, every panel on the Prometheus datasource variable, every name in /metrics", (file) => {
		const board = dashboard.parse(JSON.parse(readFileSync(join(GRAFANA, file), "utf8")));
		expect(board.templating.list.find((v) => v.name === "DS_PROMETHEUS")?.type).toBe("datasource");
		const panels = allPanels(board.panels);
		expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
		const problems: string[] = [];
		for (const p of panels) {
			if (p.gridPos.x + p.gridPos.w > 24) problems.push(`${p.title}: wider than the grid`);
			if (p.type === "row") continue;
			expect(p.datasource, p.title).toEqual(DATASOURCE);
			expect(p.targets?.length, p.title).toBeGreaterThan(0);
			for (const t of p.targets ?? []) {
				expect(t.datasource, p.title).toEqual(DATASOURCE);
				const legend = t.legendFormat === "__auto" ? [] : legendLabels(t.legendFormat ?? "");
				problems.push(...promqlProblems(families, t.expr, legend).map((m) => `${p.title}: ${m}`));
			}
		}
		for (const v of board.templating.list.filter((v) => v.type === "query")) {
			const query = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
			const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
			if (!m?.[1] || !m[2]) problems.push(`variable ${v.name}: not label_values(series, label): ${query}`);
			else problems.push(...promqlProblems(families, m[1], [m[2]]).map((msg) => `variable ${v.name}: ${msg}`));
		}
		expect(problems).toEqual([]);
	});

	it.each(dashboards)("%s: names queues and outcomes as /metrics labels them", (file) => {
		const board = dashboard.parse(JSON.parse(readFileSync(join(GRAFANA, file), "utf8")));
		const exprs = allPanels(board.panels).flatMap((p) => (p.targets ?? []).map((t) => `${p.title}: ${t.expr}`));
		expect(exprs.flatMap((e) => labelValueProblems(e).map((m) => `${e}: ${m}`))).toEqual([]);
	});

	it("have distinct uids", () => {
		const uids = dashboards.map((f) => dashboard.parse(JSON.parse(readFileSync(join(GRAFANA, f), "utf8"))).uid);
		expect(new Set(uids).size).toBe(uids.length);
	});
});

describe("ops/prometheus/alerts.yml", () => {
	const file = rules.parse(parseBlockYaml(readFileSync(join(root, "ops/prometheus/alerts.yml"), "utf8")));
	const all = file.groups.flatMap((g) => g.rules);

	it("has a rule for each failure the handbook lists, each named once", () => {
		const names = all.map((r) => r.alert);
		expect(new Set(names).size).toBe(names.length);
		const watched = new Set(all.flatMap((r) => promqlRefs(r.expr).series));
		for (const family of [
			"up",
			"http_requests_total",
			"llm_requests_total",
			"llm_request_duration_seconds_bucket",
			"llm_time_to_first_token_seconds_bucket",
			"llm_breaker_state",
			"dead_jobs",
			"queue_messages_total",
			"llm_cost_usd_total",
			"memory_extractions_total",
		]) {
			expect(watched, family).toContain(family);
		}
	});

	it("names queues and outcomes as /metrics labels them", () => {
		expect(all.flatMap((r) => labelValueProblems(r.expr).map((m) => `${r.alert}: ${m}`))).toEqual([]);
	});

	it("names only series /metrics exposes, and labels they have", () => {
		const problems = all.flatMap((r) =>
			promqlProblems(families, r.expr, annotationLabels(`${r.annotations.summary} ${r.annotations.description}`)).map((m) => `${r.alert}: ${m}`),
		);
		expect(problems).toEqual([]);
	});
});

describe("docs/OPERATIONS.md", () => {
	const handbook = readFileSync(join(root, "docs/OPERATIONS.md"), "utf8");
	const row = (first: string) => handbook.split("\n").find((line) => line.startsWith(`| \`${first}\` |`));

	it("has a row for every var of wrangler.toml and every secret of .dev.vars.example", () => {
		const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
		const vars = [...(/^\[vars\]\n([\s\S]*?)^\[/m.exec(toml)?.[1] ?? "").matchAll(/^([A-Z][A-Z0-9_]*) = /gm)].map((m) => m[1]);
		const secrets = [...readFileSync(join(root, ".dev.vars.example"), "utf8").matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
		expect(vars.length).toBeGreaterThan(30);
		expect([...vars, ...secrets].filter((name) => !row(name ?? ""))).toEqual([]);
	});

	it.each(["docs/OPERATIONS.md", "README.md"])("%s gives every var of wrangler.toml the default wrangler.toml gives it", (file) => {
		const lines = readFileSync(join(root, file), "utf8").split("\n");
		const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
		const vars = [...(/^\[vars\]\n([\s\S]*?)^\[/m.exec(toml)?.[1] ?? "").matchAll(/^([A-Z][A-Z0-9_]*) = "([^"]*)"/gm)];
		expect(vars.length).toBeGreaterThan(30);
		const wrong = vars.filter(([, name = "", value = ""]) => {
			const cell = lines.find((line) => line.startsWith(`| \`${name}\` | var |`))?.split(" | ")[2] ?? "";
			return !cell.startsWith(`\`${value}\``) && !cell.startsWith(`\`"${value}"\``);
		});
		expect(wrong.map(([line]) => line)).toEqual([]);
	});

	it("lists every metric family with its type and labels", () => {
		for (const f of families) {
			const labels = f.labels.map((l) => `\`${l}\``).join(", ");
			expect(row(f.name), f.name).toContain(`| ${f.type} | ${labels} |`);
		}
	});

	it("names queues as the Jobs API and /metrics do", () => {
		expect(labelValueProblems(handbook)).toEqual([]);
	});

	it("explains every alert of alerts.yml", () => {
		const names = rules.parse(parseBlockYaml(readFileSync(join(root, "ops/prometheus/alerts.yml"), "utf8"))).groups.flatMap((g) => g.rules.map((r) => r.alert));
		expect(names.filter((name) => !row(name))).toEqual([]);
	});
});

describe("the check itself", () => {
	it("catches a misspelled metric, a suffix on a counter, and a label its series lacks", () => {
		expect(promqlProblems(families, "sum(rate(http_request_total[5m]))")).toEqual(["http_request_total is no family of src/observability/metric-families.ts"]);
		expect(promqlProblems(families, "rate(llm_requests_total_count[5m])")).toEqual([
			"llm_requests_total_count is no family of src/observability/metric-families.ts",
		]);
		expect(promqlProblems(families, 'sum(rate(llm_cost_usd_total{modle="x"}[5m]))')).toEqual(["llm_cost_usd_total has no label modle"]);
		expect(promqlProblems(families, "sum by (channel) (rate(llm_tokens_total[5m]))")).toEqual([
			"llm_tokens_total has no label channel (in: sum by (channel) (rate(llm_tokens_total[5m])))",
		]);
		expect(promqlProblems(families, "histogram_quantile(0.95, sum by (le) (rate(llm_request_duration_seconds[5m])))")).toEqual([
			"llm_request_duration_seconds is a histogram: use llm_request_duration_seconds_bucket, _sum or _count",
		]);
		expect(
			promqlProblems(families, 'histogram_quantile(0.95, sum by (le, model) (rate(llm_request_duration_seconds_bucket{model=~"$model"}[$__rate_interval])))'),
		).toEqual([]);
	});

	it("catches a queue by its Cloudflare name, in PromQL and in a Jobs API path, and an outcome that does not exist", () => {
		expect(labelValueProblems('sum(rate(queue_messages_total{queue="edge-gateway-usage", outcome=~"acked|failed"}[5m]))')).toEqual([
			'queue="edge-gateway-usage": no queue is called edge-gateway-usage',
			'outcome=~"acked|failed": no outcome is called failed',
		]);
		expect(labelValueProblems("curl -X POST $GW/api/jobs/edge-gateway-ingest/pause")).toEqual([
			"/api/jobs/edge-gateway-ingest/pause: no queue is called edge-gateway-ingest",
		]);
		expect(labelValueProblems('dead_jobs{queue=~"ingest|memory"} and POST /api/jobs/usage/resume')).toEqual([]);
	});

	it("reads the YAML it is given as Prometheus would, and refuses what it cannot read", () => {
		expect(parseBlockYaml('a:\n  - b: "x: y"\n    c: |\n      one\n      two\n  - plain {z="1"} > 0\n')).toEqual({
			a: [{ b: "x: y", c: "one\ntwo\n" }, 'plain {z="1"} > 0'],
		});
		expect(() => parseBlockYaml("a: [1, 2]\n")).toThrow(/plain scalar/);
		expect(() => parseBlockYaml("a: b # note\n")).toThrow(/plain scalar/);
	});
});
