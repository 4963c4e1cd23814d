/** The overview's four charts over a range: requests and errors, tokens, cost and latency. */

import { useMemo } from "preact/hooks";
import { Chart, type Series } from "../../components/chart";
import { lang } from "../../i18n";
import { fmtCount, fmtMs, fmtUsd } from "./format";
import { DAY, HOUR, MINUTE, type Point, type Timeseries } from "./stats";
import { t } from "./strings";

export const COLORS = {
	requests: "#3b82f6",
	errors: "#ef4444",
	input: "#8b5cf6",
	output: "#10b981",
	cost: "#f59e0b",
	p50: "#06b6d4",
	p95: "#ec4899",
};

/** Every bucket of the range, the ones without requests (absent from the API) as zeros, so the charts show the gaps. */
function buckets(ts: Timeseries): { x: number[]; points: (Point | undefined)[] } {
	const step = { minute: MINUTE, hour: HOUR, day: DAY }[ts.period];
	const start = Date.parse(ts.from);
	const end = Date.parse(ts.to);
	const byStart = new Map(ts.data.map((p) => [Date.parse(p.bucket_start), p]));
	const x: number[] = [];
	const points: (Point | undefined)[] = [];
	if (Number.isFinite(start) && Number.isFinite(end)) {
		for (let at = start; at < end && x.length < 1000; at += step) {
			x.push(at / 1000);
			points.push(byStart.get(at));
		}
	}
	if (x.length === 0) {
		for (const p of ts.data) {
			x.push(Date.parse(p.bucket_start) / 1000);
			points.push(p);
		}
	}
	return { x, points };
}

export function Charts({ ts }: { ts: Timeseries }) {
	const language = lang.value;
	const { x, requests, tokens, cost, latency } = useMemo(() => {
		const { x, points } = buckets(ts);
		const n = (f: (p: Point) => number) => points.map((p) => (p ? f(p) : 0));
		const m = (f: (p: Point) => number | null) => points.map((p) => (p ? f(p) : null));
		return {
			x,
			requests: [
				{ label: t("requests"), values: n((p) => p.requests), color: COLORS.requests },
				{ label: t("errors"), values: n((p) => p.errors), color: COLORS.errors },
			] satisfies Series[],
			tokens: [
				{ label: t("input"), values: n((p) => p.prompt_tokens), color: COLORS.input },
				{ label: t("output"), values: n((p) => p.completion_tokens), color: COLORS.output },
			] satisfies Series[],
			cost: [{ label: t("cost"), values: n((p) => p.cost_usd), color: COLORS.cost }] satisfies Series[],
			latency: [
				{ label: "p50", values: m((p) => p.latency_p50_ms), color: COLORS.p50 },
				{ label: "p95", values: m((p) => p.latency_p95_ms), color: COLORS.p95 },
			] satisfies Series[],
		};
		// `language`: the legends are translated.
	}, [ts, language]);
	const charts = [
		{ title: t("chartRequests"), series: requests, format: fmtCount },
		{ title: t("chartTokens"), series: tokens, format: fmtCount },
		{ title: t("chartCost"), series: cost, format: fmtUsd },
		{ title: t("chartLatency"), series: latency, format: fmtMs },
	];
	return (
		<div class="grid">
			{charts.map((c) => (
				<div class="card" key={c.title}>
					<Chart title={c.title} x={x} series={c.series} format={c.format} />
				</div>
			))}
		</div>
	);
}
