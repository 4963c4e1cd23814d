import { useEffect, useRef, useState } from "preact/hooks";
import { api, get, query } from "../api";
import { Async, Empty, useLoad } from "../components/async";
import { CopyButton } from "../components/copy-button";
import { fmt, translator } from "../i18n";
import { isAdmin } from "../session";

const t = translator({
	en: {
		title: "Keys",
		subtitleAdmin: "Gateway keys for every user: what they may call, their limits and spend.",
		subtitleUser: "Your gateway keys: use one as the Bearer token for /v1 requests.",
		new: "New key",
		refresh: "Refresh",
		none: "No keys yet. Create one to call the gateway.",
		colName: "Name",
		colKey: "Key",
		colStatus: "Status",
		colOwner: "Owner",
		colModels: "Models",
		colLimits: "Limits",
		colSpent: "Spent",
		colExpires: "Expires",
		colLastUsed: "Last used",
		colActions: "Actions",
		active: "Active",
		disabled: "Disabled",
		expired: "Expired",
		allModels: "All models",
		noLimits: "No limits",
		never: "Never",
		neverUsed: "Never used",
		rpm: "{n} RPM",
		tpm: "{n} TPM",
		concurrency: "{n} at once",
		daily: "{usd}/day",
		monthly: "{usd}/month",
		quota: "{usd} total",
		usage: "Usage",
		edit: "Edit",
		enable: "Enable",
		disable: "Disable",
		revoke: "Revoke",
		confirmRevoke: "Revoke key “{name}” for good? Anything using it will stop working at once.",
		createdTitle: "Your new key “{name}”",
		createdWarning: "Copy it now: it will not be shown again.",
		createdHint: "Send it as “Authorization: Bearer <key>” to {url}.",
		done: "Done",
		formNew: "New key",
		formEdit: "Edit key “{name}”",
		name: "Name",
		models: "Models",
		modelsHint: "Comma-separated; empty allows every model",
		expiresAt: "Expires at",
		expiresHint: "Empty: never expires",
		owner: "Owner (user ID)",
		ownerHint: "Empty: the admin user",
		limitsTitle: "Limits",
		limitsHint: "Empty means no limit.",
		fRpm: "Requests per minute",
		fTpm: "Tokens per minute",
		fConcurrency: "Max concurrent requests",
		fDaily: "Daily budget (USD)",
		fMonthly: "Monthly budget (USD)",
		fQuota: "Total quota (USD)",
		notNumber: "{field} must be a number.",
		badDate: "The expiry date is not valid.",
		save: "Save",
		create: "Create key",
		saving: "Saving…",
		cancel: "Cancel",
		usageTitle: "Usage of “{name}”",
		close: "Close",
		standing: "Live limits",
		requestsWindow: "Requests this minute",
		tokensWindow: "Tokens this minute",
		inFlight: "In flight",
		spentToday: "Spent today",
		spentMonth: "Spent this month",
		spentTotal: "Spent in total",
		held: "Held by requests in flight",
		ofLimit: "{used} of {limit}",
		resetsIn: "resets in {s} s",
		unlimited: "no limit",
		recent: "Recent requests",
		noUsage: "No requests with this key yet.",
		colTime: "Time",
		colModel: "Model",
		colHttp: "Status",
		colTokens: "Tokens in / out",
		colCost: "Cost",
		colLatency: "Latency",
	},
	zh: {
		title: "密钥",
		subtitleAdmin: "所有用户的网关密钥：可调用的模型、限额与花费。",
		subtitleUser: "你的网关密钥：在 /v1 请求中作为 Bearer 令牌使用。",
		new: "新建密钥",
		refresh: "刷新",
		none: "还没有密钥。创建一个即可调用网关。",
		colName: "名称",
		colKey: "密钥",
		colStatus: "状态",
		colOwner: "所属用户",
		colModels: "模型",
		colLimits: "限额",
		colSpent: "已花费",
		colExpires: "过期时间",
		colLastUsed: "最近使用",
		colActions: "操作",
		active: "正常",
		disabled: "已停用",
		expired: "已过期",
		allModels: "全部模型",
		noLimits: "不限",
		never: "永不过期",
		neverUsed: "从未使用",
		rpm: "每分钟 {n} 次",
		tpm: "每分钟 {n} tokens",
		concurrency: "并发 {n}",
		daily: "每日 {usd}",
		monthly: "每月 {usd}",
		quota: "总额 {usd}",
		usage: "用量",
		edit: "编辑",
		enable: "启用",
		disable: "停用",
		revoke: "吊销",
		confirmRevoke: "确定永久吊销密钥“{name}”吗？使用它的应用将立即无法访问。",
		createdTitle: "新密钥“{name}”",
		createdWarning: "请立即复制：此密钥不会再次显示。",
		createdHint: "请求 {url} 时，以“Authorization: Bearer <密钥>”发送。",
		done: "完成",
		formNew: "新建密钥",
		formEdit: "编辑密钥“{name}”",
		name: "名称",
		models: "模型",
		modelsHint: "用逗号分隔；留空表示允许所有模型",
		expiresAt: "过期时间",
		expiresHint: "留空表示永不过期",
		owner: "所属用户 (用户 ID)",
		ownerHint: "留空则归属管理员用户",
		limitsTitle: "限额",
		limitsHint: "留空表示不限。",
		fRpm: "每分钟请求数",
		fTpm: "每分钟 tokens 数",
		fConcurrency: "最大并发请求数",
		fDaily: "每日预算 (美元)",
		fMonthly: "每月预算 (美元)",
		fQuota: "总额度 (美元)",
		notNumber: "{field} 必须是数字。",
		badDate: "过期时间无效。",
		save: "保存",
		create: "创建密钥",
		saving: "保存中…",
		cancel: "取消",
		usageTitle: "“{name}”的用量",
		close: "关闭",
		standing: "实时限额",
		requestsWindow: "本分钟请求数",
		tokensWindow: "本分钟 tokens",
		inFlight: "进行中",
		spentToday: "今日花费",
		spentMonth: "本月花费",
		spentTotal: "累计花费",
		held: "进行中请求的预扣",
		ofLimit: "{used} / {limit}",
		resetsIn: "{s} 秒后重置",
		unlimited: "不限",
		recent: "最近请求",
		noUsage: "此密钥还没有请求记录。",
		colTime: "时间",
		colModel: "模型",
		colHttp: "状态",
		colTokens: "输入 / 输出 tokens",
		colCost: "费用",
		colLatency: "延迟",
	},
});

interface Limits {
	rpm: number | null;
	tpm: number | null;
	max_concurrency: number | null;
	budget_daily_usd: number | null;
	budget_monthly_usd: number | null;
	quota_usd: number | null;
}

interface Token extends Limits {
	id: number;
	user_id: number;
	name: string;
	key_prefix: string;
	status: "active" | "disabled";
	models: string[] | null;
	expires_at: string | null;
	created_at: string;
	last_used_at: string | null;
	spent_usd: number;
}

interface CreatedToken extends Token {
	key: string;
}

interface RateWindow {
	limit: number;
	remaining: number;
	reset_ms: number;
}

interface Standing {
	limits: Limits;
	in_flight: number;
	requests: RateWindow | null;
	tokens: RateWindow | null;
	spent_usd: { daily: number; monthly: number; total: number };
	held_usd: number;
}

interface UsageRow {
	request_id: string;
	model: string;
	status: number;
	error_code: string | null;
	prompt_tokens: number;
	completion_tokens: number;
	cost_usd: number;
	latency_ms: number;
	stream: boolean;
	partial: boolean;
	created_at: string;
}

interface User {
	id: number;
	name: string;
}

const LIMIT_FIELDS = [
	{ name: "rpm", label: "fRpm", step: "1", min: "1" },
	{ name: "tpm", label: "fTpm", step: "1", min: "1" },
	{ name: "max_concurrency", label: "fConcurrency", step: "1", min: "1" },
	{ name: "budget_daily_usd", label: "fDaily", step: "0.01", min: "0" },
	{ name: "budget_monthly_usd", label: "fMonthly", step: "0.01", min: "0" },
	{ name: "quota_usd", label: "fQuota", step: "0.01", min: "0" },
] as const satisfies readonly { name: keyof Limits; label: string; step: string; min: string }[];

const isExpired = (k: Token) => k.expires_at !== null && Date.parse(k.expires_at) <= Date.now();

function limitSummary(l: Limits): string {
	const parts: string[] = [];
	if (l.rpm !== null) parts.push(t("rpm", { n: fmt.int(l.rpm) }));
	if (l.tpm !== null) parts.push(t("tpm", { n: fmt.int(l.tpm) }));
	if (l.max_concurrency !== null) parts.push(t("concurrency", { n: fmt.int(l.max_concurrency) }));
	if (l.budget_daily_usd !== null) parts.push(t("daily", { usd: fmt.usd(l.budget_daily_usd) }));
	if (l.budget_monthly_usd !== null) parts.push(t("monthly", { usd: fmt.usd(l.budget_monthly_usd) }));
	if (l.quota_usd !== null) parts.push(t("quota", { usd: fmt.usd(l.quota_usd) }));
	return parts.length > 0 ? parts.join(" · ") : t("noLimits");
}

export function KeysPage() {
	const admin = isAdmin.value;
	const list = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data), []);
	const users = useLoad(() => (admin ? get<{ data: User[] }>("/api/users").then((r) => r.data) : Promise.resolve([] as User[])), [admin]);
	const [editing, setEditing] = useState<Token | "new" | null>(null);
	const [created, setCreated] = useState<CreatedToken | null>(null);
	const [viewing, setViewing] = useState<Token | null>(null);
	const [busy, setBusy] = useState<number | null>(null);
	const [actionError, setActionError] = useState<string | null>(null);
	const createdRef = useRef<HTMLDivElement>(null);

	useEffect(() => {
		if (created) createdRef.current?.scrollIntoView({ behavior: "smooth", block: "nearest" });
	}, [created]);

	const userName = (id: number) => users.data?.find((u) => u.id === id)?.name ?? `#${id}`;

	const act = async (id: number, fn: () => Promise<void>) => {
		setBusy(id);
		setActionError(null);
		try {
			await fn();
		} catch (err) {
			setActionError((err as Error).message);
		} finally {
			setBusy(null);
		}
	};

	const toggle = (k: Token) =>
		act(k.id, async () => {
			const updated = await api<Token>("PATCH", `/api/tokens/${k.id}`, { status: k.status === "active" ? "disabled" : "active" });
			if (viewing?.id === k.id) setViewing(updated);
			list.reload();
		});

	const revoke = (k: Token) => {
		if (!window.confirm(t("confirmRevoke", { name: k.name }))) return;
		void act(k.id, async () => {
			await api("DELETE", `/api/tokens/${k.id}`);
			if (viewing?.id === k.id) setViewing(null);
			list.reload();
		});
	};

	return (
		<div class="stack">
			<div class="row spread">
				<div>
					<h1 style={{ marginBottom: "0.25rem" }}>{t("title")}</h1>
					<p class="muted" style={{ margin: 0 }}>
						{admin ? t("subtitleAdmin") : t("subtitleUser")}
					</p>
				</div>
				<div class="row">
					<button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
						{t("refresh")}
					</button>
					<button type="button" data-testid="key-new" onClick={() => setEditing("new")}>
						{t("new")}
					</button>
				</div>
			</div>
			{created && (
				<div class="card stack" ref={createdRef} role="status" aria-live="polite">
					<strong>{t("createdTitle", { name: created.name })}</strong>
					<div class="row" style={{ flexWrap: "nowrap", alignItems: "flex-start" }}>
						<code data-testid="key-created" style={{ flex: 1, padding: "0.4rem 0.5rem" }}>
							{created.key}
						</code>
						<CopyButton text={created.key} />
					</div>
					<p style={{ margin: 0 }}>
						<span class="badge warn">!</span> <strong>{t("createdWarning")}</strong>
					</p>
					<p class="muted" style={{ margin: 0 }}>
						{t("createdHint", { url: `${location.origin}/v1` })}
					</p>
					<div>
						<button type="button" class="secondary" onClick={() => setCreated(null)}>
							{t("done")}
						</button>
					</div>
				</div>
			)}
			{actionError && (
				<div class="state error" role="alert">
					{actionError}
				</div>
			)}
			<Async load={list}>
				{(keys) =>
					keys.length === 0 ? (
						<Empty>{t("none")}</Empty>
					) : (
						<div class="table-wrap">
							<table>
								<thead>
									<tr>
										<th>{t("colName")}</th>
										<th>{t("colKey")}</th>
										<th>{t("colStatus")}</th>
										{admin && <th>{t("colOwner")}</th>}
										<th>{t("colModels")}</th>
										<th>{t("colLimits")}</th>
										<th class="num">{t("colSpent")}</th>
										<th>{t("colExpires")}</th>
										<th>{t("colLastUsed")}</th>
										<th>{t("colActions")}</th>
									</tr>
								</thead>
								<tbody>
									{keys.map((k) => (
										<tr key={k.id} data-testid={`key-row-${k.id}`}>
											<td>
												<strong>{k.name}</strong>
											</td>
											<td>
												<code>{k.key_prefix}</code>
											</td>
											<td>
												<span class={`badge ${k.status}`}>{t(k.status)}</span> {isExpired(k) && <span class="badge warn">{t("expired")}</span>}
											</td>
											{admin && <td>{userName(k.user_id)}</td>}
											<td>
												<Models models={k.models} />
											</td>
											<td style={{ whiteSpace: "normal", minWidth: "10rem" }}>{limitSummary(k)}</td>
											<td class="num">{fmt.usd(k.spent_usd)}</td>
											<td>{k.expires_at ? fmt.time(k.expires_at) : <span class="muted">{t("never")}</span>}</td>
											<td>{k.last_used_at ? fmt.time(k.last_used_at) : <span class="muted">{t("neverUsed")}</span>}</td>
											<td>
												<div class="row" style={{ gap: "0.35rem", flexWrap: "nowrap" }}>
													<button type="button" class="secondary" data-testid={`key-usage-${k.id}`} onClick={() => setViewing(k)}>
														{t("usage")}
													</button>
													<button type="button" class="secondary" data-testid={`key-edit-${k.id}`} onClick={() => setEditing(k)}>
														{t("edit")}
													</button>
													<button type="button" class="secondary" data-testid={`key-toggle-${k.id}`} disabled={busy === k.id} onClick={() => void toggle(k)}>
														{k.status === "active" ? t("disable") : t("enable")}
													</button>
													<button type="button" class="danger" data-testid={`key-revoke-${k.id}`} disabled={busy === k.id} onClick={() => revoke(k)}>
														{t("revoke")}
													</button>
												</div>
											</td>
										</tr>
									))}
								</tbody>
							</table>
						</div>
					)
				}
			</Async>
			{viewing && <KeyUsage key={viewing.id} token={viewing} onClose={() => setViewing(null)} />}
			{editing !== null && (
				<KeyDialog
					token={editing === "new" ? null : editing}
					admin={admin}
					users={users.data ?? []}
					onClose={() => setEditing(null)}
					onSaved={(saved) => {
						setEditing(null);
						if ("key" in saved) setCreated(saved);
						if (viewing?.id === saved.id) setViewing(saved);
						list.reload();
					}}
				/>
			)}
		</div>
	);
}

function Models({ models }: { models: string[] | null }) {
	if (!models || models.length === 0) return <span class="muted">{t("allModels")}</span>;
	const shown = models.slice(0, 3);
	return (
		<span title={models.join(", ")}>
			{shown.map((m, i) => (
				<span key={m}>
					{i > 0 && " "}
					<code>{m}</code>
				</span>
			))}
			{models.length > shown.length && <span class="muted"> +{fmt.int(models.length - shown.length)}</span>}
		</span>
	);
}

type FormState = Record<"name" | "models" | "expires_at" | "user_id" | keyof Limits, string>;

/** An ISO instant as a datetime-local value, in local time. */
function toLocalInput(iso: string | null): string {
	if (!iso) return "";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return "";
	const p = (n: number) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function initialForm(token: Token | null): FormState {
	const limit = (v: number | null) => (v === null ? "" : String(v));
	return {
		name: token?.name ?? "",
		models: token?.models?.join(", ") ?? "",
		expires_at: toLocalInput(token?.expires_at ?? null),
		user_id: "",
		rpm: limit(token?.rpm ?? null),
		tpm: limit(token?.tpm ?? null),
		max_concurrency: limit(token?.max_concurrency ?? null),
		budget_daily_usd: limit(token?.budget_daily_usd ?? null),
		budget_monthly_usd: limit(token?.budget_monthly_usd ?? null),
		quota_usd: limit(token?.quota_usd ?? null),
	};
}

class FormError extends Error {}

function KeyDialog({
	token,
	admin,
	users,
	onClose,
	onSaved,
}: {
	token: Token | null;
	admin: boolean;
	users: User[];
	onClose: () => void;
	onSaved: (saved: Token | CreatedToken) => void;
}) {
	const ref = useRef<HTMLDialogElement>(null);
	const [form, setForm] = useState<FormState>(() => initialForm(token));
	const [saving, setSaving] = useState(false);
	const [error, setError] = useState<string | null>(null);

	useEffect(() => {
		const dialog = ref.current;
		if (dialog && !dialog.open) dialog.showModal();
	}, []);

	const set = (field: keyof FormState) => (e: Event) => {
		const value = (e.currentTarget as HTMLInputElement).value;
		setForm((f) => ({ ...f, [field]: value }));
	};

	const number = (field: keyof FormState, label: string): number | null => {
		const raw = form[field].trim();
		if (raw === "") return null;
		const n = Number(raw);
		if (!Number.isFinite(n)) throw new FormError(t("notNumber", { field: label }));
		return n;
	};

	const build = (): Record<string, unknown> => {
		const models = form.models
			.split(",")
			.map((m) => m.trim())
			.filter(Boolean);
		let expires: string | null = null;
		if (form.expires_at) {
			const d = new Date(form.expires_at);
			if (Number.isNaN(d.getTime())) throw new FormError(t("badDate"));
			expires = d.toISOString();
		}
		const body: Record<string, unknown> = { name: form.name.trim(), models: models.length > 0 ? models : null, expires_at: expires };
		for (const f of LIMIT_FIELDS) body[f.name] = number(f.name, t(f.label));
		if (!token && admin) {
			const owner = number("user_id", t("owner"));
			if (owner !== null) body.user_id = owner;
		}
		if (!token) return body;
		// An edit sends only what changed, so untouched limits do not reset the key's governor.
		const current: Record<string, unknown> = { ...token };
		return Object.fromEntries(Object.entries(body).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k])));
	};

	const submit = async (e: Event) => {
		e.preventDefault();
		setError(null);
		let body: Record<string, unknown>;
		try {
			body = build();
		} catch (err) {
			setError((err as Error).message);
			return;
		}
		setSaving(true);
		try {
			if (token && Object.keys(body).length === 0) onSaved(token);
			else onSaved(token ? await api<Token>("PATCH", `/api/tokens/${token.id}`, body) : await api<CreatedToken>("POST", "/api/tokens", body));
		} catch (err) {
			setError((err as Error).message);
		} finally {
			setSaving(false);
		}
	};

	return (
		<dialog ref={ref} onClose={onClose} aria-labelledby="key-form-title" data-testid="key-form">
			<form class="stack" onSubmit={submit} noValidate>
				<h2 id="key-form-title" style={{ margin: 0 }}>
					{token ? t("formEdit", { name: token.name }) : t("formNew")}
				</h2>
				<div class="form-grid">
					<label>
						{t("name")}
						<input name="name" value={form.name} onInput={set("name")} required maxLength={100} autoComplete="off" />
					</label>
					<label>
						{t("expiresAt")}
						<input name="expires_at" type="datetime-local" value={form.expires_at} onInput={set("expires_at")} />
						<small class="muted">{t("expiresHint")}</small>
					</label>
				</div>
				<label>
					{t("models")}
					<input name="models" value={form.models} onInput={set("models")} placeholder="gpt-4o-mini, mock-chat" autoComplete="off" />
					<small class="muted">{t("modelsHint")}</small>
				</label>
				{admin && !token && (
					<label>
						{t("owner")}
						<input name="user_id" inputMode="numeric" list="key-users" value={form.user_id} onInput={set("user_id")} autoComplete="off" />
						<datalist id="key-users">
							{users.map((u) => (
								<option key={u.id} value={String(u.id)}>
									{u.name}
								</option>
							))}
						</datalist>
						<small class="muted">{t("ownerHint")}</small>
					</label>
				)}
				<fieldset class="stack" style={{ border: "1px solid var(--border)", borderRadius: "var(--radius)", margin: 0 }}>
					<legend>
						{t("limitsTitle")} <span class="muted">— {t("limitsHint")}</span>
					</legend>
					<div class="form-grid">
						{LIMIT_FIELDS.map((f) => (
							<label key={f.name}>
								{t(f.label)}
								<input name={f.name} type="number" inputMode="decimal" step={f.step} min={f.min} value={form[f.name]} onInput={set(f.name)} />
							</label>
						))}
					</div>
				</fieldset>
				{error && (
					<div class="state error" role="alert" data-testid="key-form-error">
						{error}
					</div>
				)}
				<div class="row" style={{ justifyContent: "flex-end" }}>
					<button type="button" class="secondary" onClick={() => ref.current?.close()}>
						{t("cancel")}
					</button>
					<button type="submit" data-testid="key-save" disabled={saving}>
						{saving ? t("saving") : token ? t("save") : t("create")}
					</button>
				</div>
			</form>
		</dialog>
	);
}

function KeyUsage({ token, onClose }: { token: Token; onClose: () => void }) {
	const ref = useRef<HTMLDivElement>(null);
	const standing = useLoad(() => get<Standing>(`/api/tokens/${token.id}/limits`), [token.id]);
	const usage = useLoad(() => get<{ data: UsageRow[] }>(`/api/usage${query({ token_id: token.id, limit: 20 })}`).then((r) => r.data), [token.id]);

	useEffect(() => {
		ref.current?.scrollIntoView({ behavior: "smooth", block: "start" });
	}, []);

	const refresh = () => {
		standing.reload();
		usage.reload();
	};

	return (
		<section class="card stack" ref={ref} data-testid="key-usage" aria-labelledby="key-usage-title">
			<div class="row spread">
				<h2 id="key-usage-title" style={{ margin: 0 }}>
					{t("usageTitle", { name: token.name })}
				</h2>
				<div class="row">
					<button type="button" class="secondary" onClick={refresh} disabled={standing.loading || usage.loading}>
						{t("refresh")}
					</button>
					<button type="button" class="secondary" onClick={onClose}>
						{t("close")}
					</button>
				</div>
			</div>
			<Async load={standing}>{(s) => <StandingCards standing={s} />}</Async>
			<h2 style={{ margin: 0 }}>{t("recent")}</h2>
			<Async load={usage}>
				{(rows) =>
					rows.length === 0 ? (
						<Empty>{t("noUsage")}</Empty>
					) : (
						<div class="table-wrap">
							<table>
								<thead>
									<tr>
										<th>{t("colTime")}</th>
										<th>{t("colModel")}</th>
										<th>{t("colHttp")}</th>
										<th class="num">{t("colTokens")}</th>
										<th class="num">{t("colCost")}</th>
										<th class="num">{t("colLatency")}</th>
									</tr>
								</thead>
								<tbody>
									{rows.map((r) => (
										<tr key={r.request_id} title={r.request_id}>
											<td>{fmt.time(r.created_at)}</td>
											<td>
												<code>{r.model}</code>
											</td>
											<td>
												<span class={`badge ${r.status < 400 ? "ok" : "error"}`}>{r.status}</span>
												{r.error_code && <span class="muted"> {r.error_code}</span>}
											</td>
											<td class="num">
												{fmt.int(r.prompt_tokens)} / {fmt.int(r.completion_tokens)}
											</td>
											<td class="num">{fmt.usd(r.cost_usd)}</td>
											<td class="num">{fmt.ms(r.latency_ms)}</td>
										</tr>
									))}
								</tbody>
							</table>
						</div>
					)
				}
			</Async>
		</section>
	);
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
	return (
		<div class="card stat">
			<div class="label">{label}</div>
			<div class="value">{value}</div>
			{sub && <div class="label">{sub}</div>}
		</div>
	);
}

function windowStat(w: RateWindow | null): { value: string; sub?: string } {
	if (!w) return { value: "–", sub: t("unlimited") };
	return {
		value: t("ofLimit", { used: fmt.int(Math.max(0, w.limit - w.remaining)), limit: fmt.int(w.limit) }),
		sub: t("resetsIn", { s: fmt.int(Math.ceil(w.reset_ms / 1000)) }),
	};
}

const ofBudget = (spent: number, budget: number | null) => (budget === null ? fmt.usd(spent) : t("ofLimit", { used: fmt.usd(spent), limit: fmt.usd(budget) }));

function StandingCards({ standing: s }: { standing: Standing }) {
	const req = windowStat(s.requests);
	const tok = windowStat(s.tokens);
	return (
		<div class="stack" style={{ gap: "0.5rem" }}>
			<strong>{t("standing")}</strong>
			<div class="cards">
				<Stat label={t("requestsWindow")} value={req.value} sub={req.sub} />
				<Stat label={t("tokensWindow")} value={tok.value} sub={tok.sub} />
				<Stat
					label={t("inFlight")}
					value={
						s.limits.max_concurrency === null ? fmt.int(s.in_flight) : t("ofLimit", { used: fmt.int(s.in_flight), limit: fmt.int(s.limits.max_concurrency) })
					}
				/>
				<Stat label={t("spentToday")} value={ofBudget(s.spent_usd.daily, s.limits.budget_daily_usd)} />
				<Stat label={t("spentMonth")} value={ofBudget(s.spent_usd.monthly, s.limits.budget_monthly_usd)} />
				<Stat label={t("spentTotal")} value={ofBudget(s.spent_usd.total, s.limits.quota_usd)} />
				<Stat label={t("held")} value={fmt.usd(s.held_usd)} />
			</div>
		</div>
	);
}
