import type { Family } from "../../src/observability/metric-families";

/** The series a PromQL expression names, and the labels it selects, groups and prints by. */
export interface PromqlRefs {
	/** Every series name, as written (`llm_time_to_first_token_seconds_bucket`). */
	series: string[];
	/** Each selector's series and the label names its matchers use. */
	selectors: { series: string; labels: string[] }[];
	/** Labels of `by`, `without`, `on`, `ignoring` and `group_*` clauses. */
	grouping: string[];
}

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan", "atan2"]);
const NAME = "[A-Za-z_:][A-Za-z0-9_:]*";

/**
 * Reads the names out of a PromQL expression, with Grafana's `$variables` allowed: enough of the grammar to find what
 * must exist in /metrics (a name followed by `(` is a function; strings, ranges and numbers are not names).
 */
export function promqlRefs(expr: string): PromqlRefs {
	let text = expr
		.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
		.replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, "")
		.replace(/\[[^\]]*\]/g, "");
	const selectors: PromqlRefs["selectors"] = [];
	text = text.replace(new RegExp(`(${NAME})?\\s*\\{([^}]*)\\}`, "g"), (_, series: string | undefined, body: string) => {
		if (!series) throw new Error(`a selector without a metric name in: ${expr}`);
		selectors.push({ series, labels: [...body.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? "") });
		return series;
	});
	const grouping: string[] = [];
	text = text.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, labels: string) => {
		grouping.push(
			...labels
				.split(",")
				.map((l) => l.trim())
				.filter(Boolean),
		);
		return " ";
	});
	const series = [...text.matchAll(new RegExp(`(?<![\\w.])(${NAME})(?![\\w:])(?!\\s*\\()`, "g"))]
		.map((m) => m[1] ?? "")
		.filter((name) => !KEYWORDS.has(name.toLowerCase()));
	return { series, selectors, grouping };
}

/** The labels a scrape adds to every series of a target: all that `up` has. */
const TARGET_LABELS = ["job", "instance"];

/** A series' labels, or why it is not one /metrics exposes: a histogram's are its family's and `le` on `_bucket`. */
export function seriesLabels(families: readonly Family[], name: string): string[] | string {
	if (name === "up") return TARGET_LABELS;
	const exact = families.find((f) => f.name === name);
	if (exact) return exact.type === "histogram" ? `${name} is a histogram: use ${name}_bucket, _sum or _count` : [...exact.labels, ...TARGET_LABELS];
	const suffix = /_(bucket|sum|count)$/.exec(name);
	const histogram = suffix && families.find((f) => f.name === name.slice(0, suffix.index) && f.type === "histogram");
	if (!histogram) return `${name} is no family of src/observability/metric-families.ts`;
	return [...histogram.labels, ...TARGET_LABELS, ...(suffix?.[1] === "bucket" ? ["le"] : [])];
}

/**
 * What is wrong with an expression: unknown series, labels a selector or a grouping uses that its series lack, and
 * `extraLabels` (a legend's or an annotation's) that not every series has. Empty: every name exists.
 */
export function promqlProblems(families: readonly Family[], expr: string, extraLabels: readonly string[] = []): string[] {
	const refs = promqlRefs(expr);
	const problems: string[] = [];
	if (refs.series.length === 0) problems.push(`no metric in: ${expr}`);
	const labelsOf = new Map<string, string[]>();
	for (const name of refs.series) {
		const labels = seriesLabels(families, name);
		if (typeof labels === "string") problems.push(labels);
		else labelsOf.set(name, labels);
	}
	for (const s of refs.selectors) {
		const labels = labelsOf.get(s.series);
		for (const l of s.labels) if (labels && !labels.includes(l)) problems.push(`${s.series} has no label ${l}`);
	}
	for (const l of [...refs.grouping, ...extraLabels]) {
		for (const [name, labels] of labelsOf) if (!labels.includes(l)) problems.push(`${name} has no label ${l} (in: ${expr})`);
	}
	return problems;
}
