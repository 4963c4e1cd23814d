import { useMemo, useState } from "preact/hooks";
import { api, get, query } from "../api";
import { Async, Empty, useLoad } from "../components/async";
import { Chart, type Series } from "../components/chart";
import { fmt, lang, translator } from "../i18n";
import { isAdmin } from "../session";

const t = translator({
	en: {
		title: "Overview",
		rangeHour: "Last hour",
		rangeDay: "Last 24 hours",
		rangeMonth: "Last 30 days",
		range: "Time range",
		refresh: "Refresh",
		refreshing: "Refreshing…",
		span: "{from} – {to}, by {period}",
		periodHour: "hour",
		periodDay: "day",
		requests: "Requests",
		errors: "Errors",
		errorRate: "{rate} of requests",
		tokens: "Tokens",
		tokensSplit: "{input} in · {output} out",
		cost: "Cost",
		p50: "Latency p50",
		p95: "Latency p95",
		approximate: "request-weighted over the range",
		noLatency: "no requests",
		noTraffic: "No traffic in this range yet. Requests through the gateway will show up here.",
		chartRequests: "Requests and errors",
		chartTokens: "Tokens",
		chartCost: "Cost (USD)",
		chartLatency: "Latency",
		input: "Input",
		output: "Output",
		topModels: "Top models",
		topChannels: "Top channels",
		topNote: "{requests} req · {cost}",
		noChannel: "(no channel)",
		channel: "Channel #{id}",
		breakers: "Channel health",
		breakersHint: "Circuit breaker state of each channel, as of now.",
		noChannels: "No channels yet.",
		capped: "Showing the first {shown} of {total} channels.",
		windowStats: "{requests} req · {rate} errors",
		closed: "Closed",
		open: "Open",
		half_open: "Half-open",
		disabled: "Disabled",
		unknown: "Unknown",
	},
	zh: {
		title: "概览",
		rangeHour: "最近 1 小时",
		rangeDay: "最近 24 小时",
		rangeMonth: "最近 30 天",
		range: "时间范围",
		refresh: "刷新",
		refreshing: "刷新中…",
		span: "{from} – {to}，按{period}统计",
		periodHour: "小时",
		periodDay: "天",
		requests: "请求数",
		errors: "错误数",
		errorRate: "占请求的 {rate}",
		tokens: "令牌数",
		tokensSplit: "输入 {input} · 输出 {output}",
		cost: "费用",
		p50: "延迟 p50",
		p95: "延迟 p95",
		approximate: "按请求数加权的区间估计",
		noLatency: "暂无请求",
		noTraffic: "该时间范围内还没有流量。经过网关的请求会显示在这里。",
		chartRequests: "请求与错误",
		chartTokens: "令牌",
		chartCost: "费用（美元）",
		chartLatency: "延迟",
		input: "输入",
		output: "输出",
		topModels: "热门模型",
		topChannels: "热门渠道",
		topNote: "{requests} 次请求 · {cost}",
		noChannel: "（无渠道）",
		channel: "渠道 #{id}",
		breakers: "渠道健康状态",
		breakersHint: "各渠道熔断器的当前状态。",
		noChannels: "还没有渠道。",
		capped: "仅显示前 {shown} 个渠道（共 {total} 个）。",
		windowStats: "{requests} 次请求 · 错误率 {rate}",
		closed: "正常",
		open: "已熔断",
		half_open: "半开",
		disabled: "已停用",
		unknown: "未知",
	},
});

type Period = "hour" | "day";
type RangeKey = "hour" | "day" | "month";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The rollups have hour and day buckets only: the last hour spans the current and the previous hourly bucket. */
const RANGES: Record<RangeKey, { period: Period; span: number; label: "rangeHour" | "rangeDay" | "rangeMonth" }> = {
	hour: { period: "hour", span: HOUR, label: "rangeHour" },
	day: { period: "hour", span: DAY, label: "rangeDay" },
	month: { period: "day", span: 30 * DAY, label: "rangeMonth" },
};

const MAX_BREAKERS = 50;

const COLORS = {
	requests: "#3b82f6",
	errors: "#ef4444",
	input: "#8b5cf6",
	output: "#10b981",
	cost: "#f59e0b",
	p50: "#06b6d4",
	p95: "#ec4899",
};

interface Totals {
	requests: number;
	errors: number;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_usd: number;
}

interface Point extends Totals {
	bucket_start: string;
	latency_p50_ms: number | null;
	latency_p95_ms: number | null;
}

interface Timeseries {
	period: Period;
	from: string;
	to: string;
	percentiles: "exact" | "approximate";
	data: Point[];
}

interface TopRow extends Totals {
	key: string | number;
}

interface Top {
	data: TopRow[];
}

interface Stats {
	series: Timeseries;
	models: Top;
	channels: Top;
}

interface Channel {
	id: number;
	name: string;
	type: string;
	status: "enabled" | "disabled";
}

type BreakerState = "closed" | "open" | "half_open" | "disabled";

interface Health {
	channel_id: number;
	state: BreakerState;
	consecutive_failures: number;
	window: { requests: number; failures: number; error_rate: number };
	last_error: string | null;
	last_error_at: string | null;
	disabled_reason: string | null;
}

interface Breakers {
	total: number;
	rows: { channel: Channel; health: Health | null }[];
}

const locale = () => (lang.value === "zh" ? "zh-CN" : "en-US");
const pct = (rate: number) => new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(rate);

async function loadStats(range: RangeKey, admin: boolean): Promise<Stats> {
	// The rollups of the current hour and day lag the raw usage; the operator may recompute them first. A failure
	// (an older backend, a transient error) only means slightly stale numbers, so it is not shown.
	if (admin) await api("POST", "/api/stats/refresh").catch(() => undefined);
	const { period, span } = RANGES[range];
	const to = Date.now();
	const q = { period, from: to - span, to };
	const [series, models, channels] = await Promise.all([
		get<Timeseries>(`/api/stats/timeseries${query(q)}`),
		get<Top>(`/api/stats/top${query({ ...q, by: "model", limit: 8 })}`),
		get<Top>(`/api/stats/top${query({ ...q, by: "channel", limit: 8 })}`),
	]);
	return { series, models, channels };
}

async function loadBreakers(): Promise<Breakers> {
	const list = await get<{ data: Channel[] }>("/api/channels");
	const channels = list.data ?? [];
	const shown = channels.slice(0, MAX_BREAKERS);
	const health = await Promise.all(shown.map((c) => get<Health>(`/api/channels/${c.id}/health`).catch(() => null)));
	return { total: channels.length, rows: shown.map((channel, i) => ({ channel, health: health[i] ?? null })) };
}

interface Summary extends Totals {
	p50: number | null;
	p95: number | null;
}

/** Sums the buckets; a range's percentiles are the request-weighted mean of its buckets' (exact ones are not in the rollups). */
function summarize(points: Point[]): Summary {
	const sum: Summary = { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cost_usd: 0, p50: null, p95: null };
	let w50 = 0;
	let w95 = 0;
	let s50 = 0;
	let s95 = 0;
	for (const p of points) {
		sum.requests += p.requests;
		sum.errors += p.errors;
		sum.prompt_tokens += p.prompt_tokens;
		sum.completion_tokens += p.completion_tokens;
		sum.cached_tokens += p.cached_tokens;
		sum.cost_usd += p.cost_usd;
		if (p.latency_p50_ms !== null) {
			s50 += p.latency_p50_ms * p.requests;
			w50 += p.requests;
		}
		if (p.latency_p95_ms !== null) {
			s95 += p.latency_p95_ms * p.requests;
			w95 += p.requests;
		}
	}
	sum.p50 = w50 > 0 ? s50 / w50 : null;
	sum.p95 = w95 > 0 ? s95 / w95 : null;
	return sum;
}

/** Every bucket of the range, the ones without requests (absent from the API) as zeros, so the charts show the gaps. */
function buckets(ts: Timeseries): { x: number[]; points: (Point | undefined)[] } {
	const step = ts.period === "day" ? DAY : HOUR;
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

// The charts' axes are narrow: compact numbers there (the cards above carry the exact totals).
const fmtCount = (v: number) => new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 1 }).format(v);
const fmtUsd = (v: number) =>
	new Intl.NumberFormat(locale(), {
		style: "currency",
		currency: "USD",
		currencyDisplay: "narrowSymbol",
		notation: "compact",
		maximumSignificantDigits: 3,
	}).format(v);
const fmtMs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : fmt.ms(v));

function Charts({ ts }: { ts: Timeseries }) {
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
	return (
		<div class="grid">
			<div class="card">
				<Chart title={t("chartRequests")} x={x} series={requests} format={fmtCount} />
			</div>
			<div class="card">
				<Chart title={t("chartTokens")} x={x} series={tokens} format={fmtCount} />
			</div>
			<div class="card">
				<Chart title={t("chartCost")} x={x} series={cost} format={fmtUsd} />
			</div>
			<div class="card">
				<Chart title={t("chartLatency")} x={x} series={latency} format={fmtMs} />
			</div>
		</div>
	);
}

function Stat({ id, label, value, note }: { id: string; label: string; value: string; note?: string }) {
	return (
		<div class="card stat" data-testid={`stat-${id}`}>
			<div class="value">{value}</div>
			<div class="label">{label}</div>
			{note && (
				<div class="muted" style={{ fontSize: "0.8rem" }}>
					{note}
				</div>
			)}
		</div>
	);
}

function StatCards({ sum }: { sum: Summary }) {
	return (
		<div class="cards">
			<Stat id="requests" label={t("requests")} value={fmt.int(sum.requests)} />
			<Stat
				id="errors"
				label={t("errors")}
				value={fmt.int(sum.errors)}
				note={sum.requests > 0 ? t("errorRate", { rate: pct(sum.errors / sum.requests) }) : undefined}
			/>
			<Stat
				id="tokens"
				label={t("tokens")}
				value={fmt.int(sum.prompt_tokens + sum.completion_tokens)}
				note={t("tokensSplit", { input: fmt.int(sum.prompt_tokens), output: fmt.int(sum.completion_tokens) })}
			/>
			<Stat id="cost" label={t("cost")} value={fmt.usd(sum.cost_usd)} />
			<Stat id="p50" label={t("p50")} value={fmt.ms(sum.p50)} note={sum.p50 === null ? t("noLatency") : t("approximate")} />
			<Stat id="p95" label={t("p95")} value={fmt.ms(sum.p95)} note={sum.p95 === null ? t("noLatency") : t("approximate")} />
		</div>
	);
}

interface Bar {
	key: string;
	label: string;
	value: number;
	note: string;
}

/** A horizontal bar per row, its length relative to the largest. */
function Bars({ items, color, testid }: { items: Bar[]; color: string; testid: string }) {
	if (items.length === 0) return <Empty />;
	const max = Math.max(1, ...items.map((i) => i.value));
	return (
		<div class="stack" style={{ gap: "0.6rem" }} data-testid={testid}>
			{items.map((i) => (
				<div key={i.key}>
					<div class="row spread" style={{ gap: "0.5rem", flexWrap: "nowrap" }}>
						<span title={i.label} style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", minWidth: 0 }}>
							{i.label}
						</span>
						<span class="muted" style={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums", fontSize: "0.85rem" }}>
							{i.note}
						</span>
					</div>
					<div style={{ background: "var(--code)", borderRadius: "4px", height: "8px", marginTop: "0.2rem" }}>
						<div style={{ width: `${Math.max(1, (i.value / max) * 100)}%`, background: color, borderRadius: "4px", height: "100%" }} />
					</div>
				</div>
			))}
		</div>
	);
}

const bar = (row: TopRow, label: string): Bar => ({
	key: String(row.key),
	label,
	value: row.requests,
	note: t("topNote", { requests: fmt.int(row.requests), cost: fmt.usd(row.cost_usd) }),
});

function TopLists({ stats, names }: { stats: Stats; names: Map<number, string> }) {
	const channelLabel = (key: string | number) => {
		const id = Number(key);
		if (id === 0) return t("noChannel");
		return names.get(id) ?? t("channel", { id });
	};
	return (
		<div class="grid">
			<div class="card">
				<h2 style={{ marginTop: 0 }}>{t("topModels")}</h2>
				<Bars testid="top-models" color={COLORS.requests} items={(stats.models.data ?? []).map((r) => bar(r, String(r.key)))} />
			</div>
			<div class="card">
				<h2 style={{ marginTop: 0 }}>{t("topChannels")}</h2>
				<Bars testid="top-channels" color={COLORS.output} items={(stats.channels.data ?? []).map((r) => bar(r, channelLabel(r.key)))} />
			</div>
		</div>
	);
}

function BreakerList({ data }: { data: Breakers }) {
	return (
		<div class="card stack" data-testid="breakers">
			{data.rows.map(({ channel, health }) => {
				const state = health?.state ?? "unknown";
				const why = health?.last_error ?? health?.disabled_reason ?? undefined;
				return (
					<div key={channel.id} class="row spread" data-testid="breaker" style={{ gap: "0.5rem" }}>
						<span>
							{channel.name} <span class="muted">#{channel.id}</span>
						</span>
						<span class="row" style={{ gap: "0.5rem" }}>
							{health && (
								<span class="muted" style={{ fontSize: "0.85rem" }}>
									{t("windowStats", { requests: fmt.int(health.window.requests), rate: pct(health.window.error_rate) })}
								</span>
							)}
							<span class={`badge ${state}`} data-testid="breaker-state" title={why}>
								{t(state)}
							</span>
						</span>
					</div>
				);
			})}
			{data.total > data.rows.length && <p class="muted">{t("capped", { shown: data.rows.length, total: data.total })}</p>}
		</div>
	);
}

export function OverviewPage() {
	const [range, setRange] = useState<RangeKey>("day");
	const admin = isAdmin.value;
	const stats = useLoad(() => loadStats(range, admin), [range, admin]);
	const breakers = useLoad<Breakers | null>(() => (admin ? loadBreakers() : Promise.resolve(null)), [admin]);
	const names = useMemo(() => new Map((breakers.data?.rows ?? []).map((r) => [r.channel.id, r.channel.name])), [breakers.data]);
	const refresh = () => {
		stats.reload();
		if (admin) breakers.reload();
	};
	const busy = stats.loading || (admin && breakers.loading);

	return (
		<div class="stack">
			<div class="row spread">
				<h1 style={{ margin: 0 }}>{t("title")}</h1>
				<div class="row">
					<fieldset class="row" style={{ border: 0, padding: 0, margin: 0, gap: "0.25rem" }} aria-label={t("range")}>
						{(Object.keys(RANGES) as RangeKey[]).map((key) => (
							<button
								key={key}
								type="button"
								class={range === key ? "" : "secondary"}
								aria-pressed={range === key}
								data-testid={`range-${key}`}
								onClick={() => setRange(key)}
							>
								{t(RANGES[key].label)}
							</button>
						))}
					</fieldset>
					<button type="button" class="secondary" data-testid="overview-refresh" disabled={busy} onClick={refresh}>
						{busy ? t("refreshing") : t("refresh")}
					</button>
				</div>
			</div>
			<Async load={stats}>
				{(s) => {
					const points = s.series.data ?? [];
					return (
						<>
							<p class="muted" style={{ margin: 0 }}>
								{t("span", { from: fmt.time(s.series.from), to: fmt.time(s.series.to), period: t(s.series.period === "day" ? "periodDay" : "periodHour") })}
							</p>
							<StatCards sum={summarize(points)} />
							{points.length === 0 ? (
								<Empty>{t("noTraffic")}</Empty>
							) : (
								<>
									<Charts ts={s.series} />
									<TopLists stats={s} names={names} />
								</>
							)}
						</>
					);
				}}
			</Async>
			{admin && (
				<section>
					<h2>{t("breakers")}</h2>
					<p class="muted" style={{ marginTop: 0 }}>
						{t("breakersHint")}
					</p>
					<Async load={breakers}>{(d) => (d && d.rows.length > 0 ? <BreakerList data={d} /> : <Empty>{t("noChannels")}</Empty>)}</Async>
				</section>
			)}
		</div>
	);
}
