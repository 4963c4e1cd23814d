import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { lang, translator } from "../i18n";
import { theme } from "../theme";
import { locale } from "./format";

const t = translator({ en: { time: "Time" }, zh: { time: "时间" } });

const DAY_S = 86_400;

/** An x-axis tick in the current language: dates once ticks are a day or more apart, times of day below that. */
const tick = (seconds: number, step: number) =>
	new Date(seconds * 1000).toLocaleString(
		locale(),
		step >= DAY_S ? { month: "short", day: "numeric" } : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
	);

const measure = document.createElement("canvas").getContext("2d");

/** Wide enough for the longest tick label ("US$0.000005"), so none is cut off at the left edge. */
const axisWidth = (_: uPlot, values: string[] | null) => {
	if (!measure) return 80;
	measure.font = "12px system-ui, -apple-system, sans-serif";
	return Math.max(48, Math.ceil(Math.max(0, ...(values ?? []).map((v) => measure.measureText(v).width))) + 24);
};

/** The legend's time: the bucket under the cursor, to the minute. */
const moment = (seconds: number) =>
	new Date(seconds * 1000).toLocaleString(locale(), { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

export interface Series {
	label: string;
	/** One value per x; null for a gap. */
	values: (number | null)[];
	color: string;
}

/** A uPlot line chart: `x` in seconds since the epoch, as uPlot wants time. Redrawn on data, size and theme. */
export function Chart({
	x,
	series,
	height = 220,
	title,
	format,
}: {
	x: number[];
	series: Series[];
	height?: number;
	title: string;
	format?: (v: number) => string;
}) {
	const box = useRef<HTMLDivElement>(null);
	const dark = theme.value === "dark";
	// Read here, so that a change of language redraws the chart with its axis and legend in the new one.
	const language = lang.value;
	useEffect(() => {
		const el = box.current;
		if (!el) return;
		const axis = { stroke: dark ? "#9aa4b2" : "#57606a", grid: { stroke: dark ? "#262c36" : "#eaeef2" }, ticks: { stroke: dark ? "#262c36" : "#eaeef2" } };
		const plot = new uPlot(
			{
				width: el.clientWidth || 300,
				height,
				series: [
					{ label: t("time"), value: (_: uPlot, v: number | null) => (v === null ? "–" : moment(v)) },
					...series.map((s) => ({
						label: s.label,
						stroke: s.color,
						width: 2,
						points: { show: x.length < 60 },
						value: (_: uPlot, v: number | null) => (v === null ? "–" : format ? format(v) : String(v)),
					})),
				],
				axes: [
					{ ...axis, values: (_: uPlot, ticks: number[], _axis: number, _space: number, step: number) => ticks.map((v) => tick(v, step)) },
					{ ...axis, values: (_: uPlot, ticks: number[]) => ticks.map((v) => (format ? format(v) : String(v))), size: axisWidth },
				],
				legend: { show: true },
				cursor: { drag: { x: false, y: false } },
			},
			[x, ...series.map((s) => s.values)] as uPlot.AlignedData,
			el,
		);
		const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 300, height }));
		resize.observe(el);
		return () => {
			resize.disconnect();
			plot.destroy();
		};
	}, [x, series, height, dark, format, language]);
	return (
		<figure class="chart">
			<figcaption>{title}</figcaption>
			<div ref={box} data-testid={`chart-${title}`} />
		</figure>
	);
}
