import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { get, query, request } from "../api";
import { Async, ErrorBox, useLoad } from "../components/async";
import { CopyButton } from "../components/copy-button";
import { fmt, translator } from "../i18n";
import { isAdmin } from "../session";

const t = translator({
	en: {
		title: "Usage logs",
		refresh: "Refresh",
		export: "Export CSV",
		exporting: "Exporting…",
		exportFailed: "Export failed: {message}",
		filters: "Filters",
		model: "Model",
		modelHint: "exact name",
		status: "Status",
		statusAll: "All",
		statusOk: "Succeeded (< 400)",
		statusError: "Errors only (≥ 400)",
		keyId: "Key ID",
		channelId: "Channel",
		channelAll: "All channels",
		userId: "User ID",
		from: "From",
		to: "To",
		apply: "Apply",
		clear: "Clear",
		time: "Time",
		requestId: "Request",
		channel: "Channel",
		tokensIn: "Tokens in",
		tokensOut: "Tokens out",
		cost: "Cost",
		latency: "Latency",
		noRows: "No requests match these filters.",
		loadMore: "Load more",
		loadingMore: "Loading…",
		shown: "{n} shown",
		end: "End of the list.",
		detail: "Request details",
		close: "Close",
		upstreamModel: "Upstream model",
		attempts: "Attempts",
		promptTokens: "Prompt tokens",
		completionTokens: "Completion tokens",
		cachedTokens: "Cached tokens",
		ttfb: "Time to first byte",
		endpoint: "Endpoint",
		key: "Key",
		user: "User",
		stream: "Stream",
		partial: "Partial",
		estimated: "Estimated tokens",
		errorCode: "Error code",
		yes: "Yes",
		no: "No",
		charge: "Charged",
		balanceAfter: "Balance after",
		notCharged: "Not charged",
		price: "Price (per 1M tokens)",
		priceLine: "in {input} · out {output}",
		noPrice: "Free (no price)",
		none: "–",
		copyId: "Copy ID",
	},
	zh: {
		title: "使用日志",
		refresh: "刷新",
		export: "导出 CSV",
		exporting: "导出中…",
		exportFailed: "导出失败：{message}",
		filters: "筛选",
		model: "模型",
		modelHint: "完整名称",
		status: "状态",
		statusAll: "全部",
		statusOk: "成功（< 400）",
		statusError: "仅错误（≥ 400）",
		keyId: "密钥 ID",
		channelId: "渠道",
		channelAll: "全部渠道",
		userId: "用户 ID",
		from: "开始时间",
		to: "结束时间",
		apply: "应用",
		clear: "清除",
		time: "时间",
		requestId: "请求",
		channel: "渠道",
		tokensIn: "输入令牌",
		tokensOut: "输出令牌",
		cost: "费用",
		latency: "延迟",
		noRows: "没有符合筛选条件的请求。",
		loadMore: "加载更多",
		loadingMore: "加载中…",
		shown: "已显示 {n} 条",
		end: "已到末尾。",
		detail: "请求详情",
		close: "关闭",
		upstreamModel: "上游模型",
		attempts: "尝试次数",
		promptTokens: "提示令牌",
		completionTokens: "补全令牌",
		cachedTokens: "缓存令牌",
		ttfb: "首字节时间",
		endpoint: "接口",
		key: "密钥",
		user: "用户",
		stream: "流式",
		partial: "不完整",
		estimated: "令牌为估算值",
		errorCode: "错误码",
		yes: "是",
		no: "否",
		charge: "已扣费",
		balanceAfter: "扣费后余额",
		notCharged: "未扣费",
		price: "价格（每百万令牌）",
		priceLine: "输入 {input} · 输出 {output}",
		noPrice: "免费（无价格）",
		none: "–",
		copyId: "复制 ID",
	},
});

interface UsageItem {
	request_id: string;
	model: string;
	upstream_model: string | null;
	channel_id: number | null;
	token_id: number | null;
	user_id: number | null;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_usd: number;
	status: number;
	error_code: string | null;
	partial: boolean;
	estimated: boolean;
	stream: boolean;
	latency_ms: number;
	ttfb_ms: number | null;
	attempts: number;
	endpoint: string;
	created_at: string;
}

interface UsageDetail extends UsageItem {
	charge: { ledger_entry_id: number; amount_usd: number; balance_after_usd: number | null } | null;
	price: { input_usd_per_mtok: number; output_usd_per_mtok: number; cached_input_usd_per_mtok: number | null; request_usd: number } | null;
}

interface Page<T> {
	data: T[];
	next_cursor: string | null;
}

interface Channel {
	id: number;
	name: string;
}

/** The form's fields, as typed; `params` turns them into the API's query. */
interface Filters {
	model: string;
	status: string;
	token_id: string;
	channel_id: string;
	user_id: string;
	from: string;
	to: string;
}

const NO_FILTERS: Filters = { model: "", status: "", token_id: "", channel_id: "", user_id: "", from: "", to: "" };
const STATUSES = ["400", "401", "402", "403", "404", "408", "413", "429", "500", "502", "503", "504"];
const PAGE = 50;

/** A `datetime-local` value (local time) as ISO 8601 UTC; empty or invalid gives undefined. */
function isoOf(local: string): string | undefined {
	if (!local) return undefined;
	const ms = new Date(local).getTime();
	return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const idOf = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? s.trim() : undefined);

function params(f: Filters, admin: boolean) {
	return {
		model: f.model.trim() || undefined,
		status: f.status || undefined,
		token_id: idOf(f.token_id),
		channel_id: idOf(f.channel_id),
		user_id: admin ? idOf(f.user_id) : undefined,
		from: isoOf(f.from),
		to: isoOf(f.to),
	};
}

/** The first page loads with `deps`; "more" appends pages, and is dropped when the first page is loaded again. */
function usePaged<T>(path: (cursor: string | undefined) => string, deps: unknown[]) {
	const first = useLoad(() => get<Page<T>>(path(undefined)), deps);
	const [more, setMore] = useState<{ base: Page<T>; rows: T[]; next: string | null } | null>(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<Error | null>(null);
	const base = first.data;
	const extra = base && more && more.base === base ? more : null;
	const rows = base ? [...(base.data ?? []), ...(extra?.rows ?? [])] : [];
	const next = extra ? extra.next : (base?.next_cursor ?? null);
	const loadMore = async () => {
		if (!base || !next) return;
		setBusy(true);
		setError(null);
		try {
			const page = await get<Page<T>>(path(next));
			setMore({ base, rows: [...(extra?.rows ?? []), ...(page.data ?? [])], next: page.next_cursor });
		} catch (err) {
			setError(err instanceof Error ? err : new Error(String(err)));
		} finally {
			setBusy(false);
		}
	};
	return { first, rows, next, loadMore, busy, error };
}

function StatusBadge({ status }: { status: number }) {
	const kind = status < 400 ? "ok" : status === 429 ? "warn" : "error";
	return <span class={`badge ${kind}`}>{status}</span>;
}

const yesNo = (b: boolean) => (b ? t("yes") : t("no"));

function Field({ label, children }: { label: string; children: ComponentChildren }) {
	return (
		<div>
			<div class="muted" style={{ fontSize: "0.8rem" }}>
				{label}
			</div>
			<div style={{ overflowWrap: "anywhere" }}>{children}</div>
		</div>
	);
}

function Detail({ id, channelName, onClose }: { id: string; channelName: (id: number | null) => string; onClose: () => void }) {
	const ref = useRef<HTMLDialogElement>(null);
	const load = useLoad(() => get<UsageDetail>(`/api/usage/${encodeURIComponent(id)}`), [id]);
	useEffect(() => {
		const el = ref.current;
		if (el && !el.open) el.showModal();
	}, []);
	return (
		<dialog ref={ref} data-testid="usage-detail" onClose={onClose} aria-labelledby="usage-detail-title">
			<div class="stack">
				<div class="row spread">
					<h2 id="usage-detail-title" style={{ margin: 0 }}>
						{t("detail")}
					</h2>
					<button type="button" class="secondary" onClick={() => ref.current?.close()} data-testid="usage-detail-close">
						{t("close")}
					</button>
				</div>
				<div class="row" style={{ gap: "0.5rem" }}>
					<code data-testid="usage-detail-id">{id}</code>
					<CopyButton text={id} label={t("copyId")} />
				</div>
				<Async load={load}>
					{(d) => (
						<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
							<Field label={t("status")}>
								<StatusBadge status={d.status} />
							</Field>
							<Field label={t("errorCode")}>{d.error_code ?? t("none")}</Field>
							<Field label={t("time")}>{fmt.time(d.created_at)}</Field>
							<Field label={t("model")}>{d.model}</Field>
							<Field label={t("upstreamModel")}>{d.upstream_model ?? t("none")}</Field>
							<Field label={t("channel")}>{channelName(d.channel_id)}</Field>
							<Field label={t("attempts")}>{fmt.int(d.attempts)}</Field>
							<Field label={t("endpoint")}>{d.endpoint}</Field>
							<Field label={t("key")}>{d.token_id === null ? t("none") : `#${d.token_id}`}</Field>
							<Field label={t("user")}>{d.user_id === null ? t("none") : `#${d.user_id}`}</Field>
							<Field label={t("promptTokens")}>{fmt.int(d.prompt_tokens)}</Field>
							<Field label={t("completionTokens")}>{fmt.int(d.completion_tokens)}</Field>
							<Field label={t("cachedTokens")}>{fmt.int(d.cached_tokens)}</Field>
							<Field label={t("cost")}>{fmt.usd(d.cost_usd)}</Field>
							<Field label={t("latency")}>{fmt.ms(d.latency_ms)}</Field>
							<Field label={t("ttfb")}>{fmt.ms(d.ttfb_ms)}</Field>
							<Field label={t("stream")}>{yesNo(d.stream)}</Field>
							<Field label={t("partial")}>{yesNo(d.partial)}</Field>
							<Field label={t("estimated")}>{yesNo(d.estimated)}</Field>
							<Field label={t("charge")}>
								{d.charge ? fmt.usd(d.charge.amount_usd) : t("notCharged")}
								{d.charge && d.charge.balance_after_usd !== null && (
									<div class="muted" style={{ fontSize: "0.8rem" }}>
										{t("balanceAfter")}: {fmt.usd(d.charge.balance_after_usd)}
									</div>
								)}
							</Field>
							<Field label={t("price")}>
								{d.price ? t("priceLine", { input: fmt.usd(d.price.input_usd_per_mtok), output: fmt.usd(d.price.output_usd_per_mtok) }) : t("noPrice")}
							</Field>
						</div>
					)}
				</Async>
			</div>
		</dialog>
	);
}

function FilterForm({ value, admin, channels, onApply }: { value: Filters; admin: boolean; channels: Channel[] | undefined; onApply: (f: Filters) => void }) {
	const [draft, setDraft] = useState<Filters>(value);
	useEffect(() => setDraft(value), [value]);
	const set = (key: keyof Filters) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
	const submit = (e: Event) => {
		e.preventDefault();
		onApply(draft);
	};
	return (
		<form class="card stack" onSubmit={submit} data-testid="usage-filters" aria-label={t("filters")}>
			<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
				<label>
					{t("model")}
					<input name="model" value={draft.model} onInput={set("model")} placeholder={t("modelHint")} data-testid="filter-model" />
				</label>
				<label>
					{t("status")}
					<select name="status" value={draft.status} onChange={set("status")} data-testid="filter-status">
						<option value="">{t("statusAll")}</option>
						<option value="ok">{t("statusOk")}</option>
						<option value="error">{t("statusError")}</option>
						{STATUSES.map((s) => (
							<option key={s} value={s}>
								{s}
							</option>
						))}
					</select>
				</label>
				<label>
					{t("keyId")}
					<input name="token_id" inputMode="numeric" pattern="\d*" value={draft.token_id} onInput={set("token_id")} data-testid="filter-key" />
				</label>
				<label htmlFor="usage-filter-channel">
					{t("channelId")}
					{channels ? (
						<select id="usage-filter-channel" name="channel_id" value={draft.channel_id} onChange={set("channel_id")} data-testid="filter-channel">
							<option value="">{t("channelAll")}</option>
							{channels.map((c) => (
								<option key={c.id} value={String(c.id)}>
									{c.name} (#{c.id})
								</option>
							))}
						</select>
					) : (
						<input
							id="usage-filter-channel"
							name="channel_id"
							inputMode="numeric"
							pattern="\d*"
							value={draft.channel_id}
							onInput={set("channel_id")}
							data-testid="filter-channel"
						/>
					)}
				</label>
				{admin && (
					<label>
						{t("userId")}
						<input name="user_id" inputMode="numeric" pattern="\d*" value={draft.user_id} onInput={set("user_id")} data-testid="filter-user" />
					</label>
				)}
				<label>
					{t("from")}
					<input name="from" type="datetime-local" value={draft.from} onInput={set("from")} data-testid="filter-from" />
				</label>
				<label>
					{t("to")}
					<input name="to" type="datetime-local" value={draft.to} onInput={set("to")} data-testid="filter-to" />
				</label>
			</div>
			<div class="row">
				<button type="submit" data-testid="filter-apply">
					{t("apply")}
				</button>
				<button type="button" class="secondary" onClick={() => onApply(NO_FILTERS)} data-testid="filter-clear">
					{t("clear")}
				</button>
			</div>
		</form>
	);
}

/** Downloads a response as a file through a Blob URL: the export needs the Bearer header, which a plain link cannot send. */
async function download(path: string): Promise<void> {
	const res = await request("GET", path);
	const disposition = res.headers.get("content-disposition") ?? "";
	const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `usage-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv`;
	const url = URL.createObjectURL(await res.blob());
	const a = document.createElement("a");
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function UsagePage() {
	const admin = isAdmin.value;
	const [filters, setFilters] = useState<Filters>(NO_FILTERS);
	// `/usage?request=<id>` (the ledger links there) opens that request's details.
	const location = useLocation();
	const linked = location.query.request || null;
	const [selected, setSelected] = useState<string | null>(linked);
	useEffect(() => {
		if (linked) setSelected(linked);
	}, [linked]);
	const closeDetail = () => {
		setSelected(null);
		if (linked) location.route("/usage", true);
	};
	const [exporting, setExporting] = useState(false);
	const [exportError, setExportError] = useState<string | null>(null);
	const q = params(filters, admin);
	const key = JSON.stringify(q);
	const page = usePaged<UsageItem>((cursor) => `/api/usage${query({ ...q, limit: PAGE, cursor })}`, [key]);
	const channels = useLoad<Channel[] | null>(
		() => (admin ? get<{ data: Channel[] }>("/api/channels").then((r) => r.data ?? []) : Promise.resolve(null)),
		[admin],
	);
	const names = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
	const channelName = (id: number | null) => (id === null ? t("none") : (names.get(id) ?? `#${id}`));

	const exportCsv = async () => {
		setExporting(true);
		setExportError(null);
		try {
			await download(`/api/usage/export.csv${query(q)}`);
		} catch (err) {
			setExportError(t("exportFailed", { message: err instanceof Error ? err.message : String(err) }));
		} finally {
			setExporting(false);
		}
	};

	return (
		<div class="stack">
			<div class="row spread">
				<h1 style={{ margin: 0 }}>{t("title")}</h1>
				<div class="row">
					<button type="button" class="secondary" onClick={page.first.reload} disabled={page.first.loading} data-testid="usage-refresh">
						{t("refresh")}
					</button>
					<button type="button" class="secondary" onClick={exportCsv} disabled={exporting} data-testid="usage-export">
						{exporting ? t("exporting") : t("export")}
					</button>
				</div>
			</div>
			{exportError && (
				<div class="state error" role="alert">
					{exportError}
				</div>
			)}
			<FilterForm value={filters} admin={admin} channels={channels.data ?? undefined} onApply={setFilters} />
			<Async load={page.first}>
				{() =>
					page.rows.length === 0 ? (
						<div class="state empty">{t("noRows")}</div>
					) : (
						<>
							<div class="table-wrap">
								<table data-testid="usage-table">
									<thead>
										<tr>
											<th>{t("time")}</th>
											<th>{t("requestId")}</th>
											<th>{t("model")}</th>
											<th>{t("channel")}</th>
											<th class="num">{t("tokensIn")}</th>
											<th class="num">{t("tokensOut")}</th>
											<th class="num">{t("cost")}</th>
											<th class="num">{t("latency")}</th>
											<th>{t("status")}</th>
										</tr>
									</thead>
									<tbody>
										{page.rows.map((r) => (
											<tr
												key={r.request_id}
												data-testid="usage-row"
												class="clickable"
												tabIndex={0}
												onClick={() => setSelected(r.request_id)}
												onKeyDown={(e) => {
													if (e.key === "Enter" || e.key === " ") {
														e.preventDefault();
														setSelected(r.request_id);
													}
												}}
											>
												<td>{fmt.time(r.created_at)}</td>
												<td class="mono" title={r.request_id}>
													{r.request_id.length > 10 ? `${r.request_id.slice(0, 10)}…` : r.request_id}
												</td>
												<td>{r.model}</td>
												<td>{channelName(r.channel_id)}</td>
												<td class="num">{fmt.int(r.prompt_tokens)}</td>
												<td class="num">{fmt.int(r.completion_tokens)}</td>
												<td class="num">{fmt.usd(r.cost_usd)}</td>
												<td class="num">{fmt.ms(r.latency_ms)}</td>
												<td title={r.error_code ?? undefined}>
													<StatusBadge status={r.status} />
												</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
							<div class="row spread">
								<span class="muted">{t("shown", { n: fmt.int(page.rows.length) })}</span>
								{page.next ? (
									<button type="button" class="secondary" onClick={page.loadMore} disabled={page.busy} data-testid="usage-more">
										{page.busy ? t("loadingMore") : t("loadMore")}
									</button>
								) : (
									<span class="muted">{t("end")}</span>
								)}
							</div>
							{page.error && <ErrorBox error={page.error} retry={page.loadMore} />}
						</>
					)
				}
			</Async>
			{selected && <Detail key={selected} id={selected} channelName={channelName} onClose={closeDetail} />}
		</div>
	);
}
