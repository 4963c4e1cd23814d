import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, get, query } from "../api";
import { Async, Empty, useLoad } from "../components/async";
import { fmt, translator } from "../i18n";

const t = translator({
	en: {
		title: "Channels",
		subtitle: "Upstream providers the gateway routes to, with their circuit breakers.",
		new: "New channel",
		refresh: "Refresh",
		none: "No channels yet. Add one to start routing requests.",
		colChannel: "Channel",
		colHealth: "Health",
		colLastError: "Last error",
		colPriority: "Priority",
		colWeight: "Weight",
		colModels: "Models",
		colStatus: "Status",
		colTest: "Test",
		colActions: "Actions",
		closed: "Healthy",
		open: "Open",
		half_open: "Half-open",
		disabled: "Disabled",
		enabled: "Enabled",
		healthUnknown: "…",
		healthFailed: "Health unavailable: {error}",
		window: "{rate} errors · {requests} req",
		windowEmpty: "No requests in window",
		retryAt: "Retries at {time}",
		noError: "—",
		test: "Test",
		testing: "Testing…",
		testOk: "OK · {ms}",
		testFail: "Failed · {error}",
		testTitle: "Send a tiny request with {model}",
		enable: "Enable",
		disable: "Disable",
		edit: "Edit",
		delete: "Delete",
		reset: "Reset breaker",
		confirmDelete: "Delete channel “{name}”? Requests will no longer be routed to it.",
		more: "+{n} more",
		formNew: "New channel",
		formEdit: "Edit channel “{name}”",
		name: "Name",
		type: "Type",
		typeHint: "Speaks {wire}; serves {ops}",
		baseUrl: "Base URL",
		baseUrlHint: "Empty uses the type's default, where it has one.",
		key: "API key",
		keyKeep: "Leave empty to keep the current key ({masked})",
		keyKeepNone: "Leave empty to keep it unchanged",
		keyNew: "The upstream key; stored encrypted",
		models: "Models",
		modelsHint: "Comma-separated, e.g. gpt-4o-mini, gpt-4o",
		priority: "Priority",
		priorityHint: "Higher is tried first",
		weight: "Weight",
		weightHint: "Share among equal priority",
		groups: "Groups",
		groupsHint: "Comma-separated user groups allowed to use it",
		save: "Save",
		saving: "Saving…",
		cancel: "Cancel",
		typesLoading: "Loading types…",
	},
	zh: {
		title: "渠道",
		subtitle: "网关转发请求的上游服务商，以及它们的熔断器状态。",
		new: "新建渠道",
		refresh: "刷新",
		none: "还没有渠道。添加一个渠道即可开始转发请求。",
		colChannel: "渠道",
		colHealth: "健康状态",
		colLastError: "最近错误",
		colPriority: "优先级",
		colWeight: "权重",
		colModels: "模型",
		colStatus: "状态",
		colTest: "测试",
		colActions: "操作",
		closed: "正常",
		open: "已熔断",
		half_open: "半开",
		disabled: "已停用",
		enabled: "已启用",
		healthUnknown: "…",
		healthFailed: "无法获取健康状态：{error}",
		window: "错误率 {rate} · {requests} 次请求",
		windowEmpty: "窗口内无请求",
		retryAt: "将于 {time} 重试",
		noError: "—",
		test: "测试",
		testing: "测试中…",
		testOk: "成功 · {ms}",
		testFail: "失败 · {error}",
		testTitle: "用 {model} 发送一个极小的请求",
		enable: "启用",
		disable: "停用",
		edit: "编辑",
		delete: "删除",
		reset: "重置熔断器",
		confirmDelete: "确定删除渠道“{name}”吗？请求将不再转发到该渠道。",
		more: "另有 {n} 个",
		formNew: "新建渠道",
		formEdit: "编辑渠道“{name}”",
		name: "名称",
		type: "类型",
		typeHint: "协议 {wire}；支持 {ops}",
		baseUrl: "Base URL",
		baseUrlHint: "留空则使用该类型的默认地址（如有）。",
		key: "API 密钥",
		keyKeep: "留空则保留当前密钥（{masked}）",
		keyKeepNone: "留空则保持不变",
		keyNew: "上游服务商的密钥，加密存储",
		models: "模型",
		modelsHint: "用逗号分隔，例如 gpt-4o-mini, gpt-4o",
		priority: "优先级",
		priorityHint: "数值越大越优先",
		weight: "权重",
		weightHint: "同优先级渠道间的流量比例",
		groups: "分组",
		groupsHint: "可使用该渠道的用户分组，用逗号分隔",
		save: "保存",
		saving: "保存中…",
		cancel: "取消",
		typesLoading: "正在加载类型…",
	},
});

interface Channel {
	id: number;
	name: string;
	type: string;
	base_url: string | null;
	key_masked: string | null;
	models: string[];
	groups: string[];
	priority: number;
	weight: number;
	status: "enabled" | "disabled";
}

interface ChannelType {
	type: string;
	wire: "openai" | "anthropic" | "gemini";
	operations: string[];
	default_base_url: string | null;
}

type BreakerState = "closed" | "open" | "half_open" | "disabled";

interface Health {
	channel_id: number;
	state: BreakerState;
	retry_at: string | null;
	consecutive_failures: number;
	window: { requests: number; failures: number; error_rate: number };
	openings: number;
	last_error: string | null;
	last_error_at: string | null;
	disabled_reason: string | null;
	next_probe_at: string | null;
	updated_at: string;
}

interface TestResult {
	ok: boolean;
	model: string;
	status: number | null;
	latency_ms: number;
	error: string | null;
}

type HealthEntry = { health: Health } | { error: string };
type TestEntry = { pending: true } | { pending: false; result: TestResult } | { pending: false; error: string };

/** Health is polled while the page is open and visible. */
const HEALTH_EVERY_MS = 15_000;

const splitList = (s: string) =>
	s
		.split(",")
		.map((x) => x.trim())
		.filter(Boolean);

const pct = (rate: number) => `${fmt.int(Math.round(rate * 1000) / 10)}%`;

export function ChannelsPage() {
	const list = useLoad(() => get<{ data: Channel[] }>("/api/channels").then((r) => r.data), []);
	const types = useLoad(() => get<{ data: ChannelType[] }>("/api/channels/types").then((r) => r.data), []);
	const [health, setHealth] = useState<Record<number, HealthEntry>>({});
	const [tests, setTests] = useState<Record<number, TestEntry>>({});
	const [editing, setEditing] = useState<Channel | "new" | null>(null);
	const [busy, setBusy] = useState<number | null>(null);
	const [actionError, setActionError] = useState<string | null>(null);

	const refreshHealth = useCallback(async (id: number) => {
		try {
			const h = await get<Health>(`/api/channels/${id}/health`);
			setHealth((prev) => ({ ...prev, [id]: { health: h } }));
		} catch (err) {
			setHealth((prev) => ({ ...prev, [id]: { error: (err as Error).message } }));
		}
	}, []);

	// Every channel's breaker in parallel, again on a timer while the tab is visible.
	const ids = list.data?.map((c) => c.id).join(",") ?? "";
	useEffect(() => {
		if (!ids) return;
		const all = ids.split(",").map(Number);
		const refreshAll = () => {
			for (const id of all) void refreshHealth(id);
		};
		refreshAll();
		const timer = setInterval(() => {
			if (document.visibilityState === "visible") refreshAll();
		}, HEALTH_EVERY_MS);
		return () => clearInterval(timer);
	}, [ids, refreshHealth]);

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

	const toggle = (c: Channel) =>
		act(c.id, async () => {
			await api("PATCH", `/api/channels/${c.id}`, { status: c.status === "enabled" ? "disabled" : "enabled" });
			list.reload();
			void refreshHealth(c.id);
		});

	const remove = (c: Channel) => {
		if (!window.confirm(t("confirmDelete", { name: c.name }))) return;
		void act(c.id, async () => {
			await api("DELETE", `/api/channels/${c.id}`);
			list.reload();
		});
	};

	const reset = (c: Channel) =>
		act(c.id, async () => {
			const h = await api<Health>("POST", `/api/channels/${c.id}/health/reset`);
			setHealth((prev) => ({ ...prev, [c.id]: { health: h } }));
		});

	const test = async (c: Channel) => {
		setTests((prev) => ({ ...prev, [c.id]: { pending: true } }));
		let entry: TestEntry;
		try {
			entry = { pending: false, result: await api<TestResult>("POST", `/api/channels/${c.id}/test${query({ model: c.models[0] })}`) };
		} catch (err) {
			entry = { pending: false, error: (err as Error).message };
		}
		setTests((prev) => ({ ...prev, [c.id]: entry }));
		void refreshHealth(c.id);
	};

	const refresh = () => {
		list.reload();
		for (const c of list.data ?? []) void refreshHealth(c.id);
	};

	return (
		<div class="stack">
			<div class="row spread">
				<div>
					<h1 style={{ marginBottom: "0.25rem" }}>{t("title")}</h1>
					<p class="muted" style={{ margin: 0 }}>
						{t("subtitle")}
					</p>
				</div>
				<div class="row">
					<button type="button" class="secondary" onClick={refresh} disabled={list.loading}>
						{t("refresh")}
					</button>
					<button type="button" data-testid="channel-new" onClick={() => setEditing("new")}>
						{t("new")}
					</button>
				</div>
			</div>
			{actionError && (
				<div class="state error" role="alert">
					{actionError}
				</div>
			)}
			<Async load={list}>
				{(channels) =>
					channels.length === 0 ? (
						<Empty>{t("none")}</Empty>
					) : (
						<div class="table-wrap">
							<table>
								<thead>
									<tr>
										<th>{t("colChannel")}</th>
										<th>{t("colHealth")}</th>
										<th>{t("colLastError")}</th>
										<th class="num">{t("colPriority")}</th>
										<th class="num">{t("colWeight")}</th>
										<th>{t("colModels")}</th>
										<th>{t("colStatus")}</th>
										<th>{t("colTest")}</th>
										<th>{t("colActions")}</th>
									</tr>
								</thead>
								<tbody>
									{channels.map((c) => {
										const entry = health[c.id];
										const h = entry && "health" in entry ? entry.health : null;
										return (
											<tr key={c.id} data-testid={`channel-row-${c.id}`}>
												<td>
													<strong>{c.name}</strong>
													<div class="muted">
														{c.type}
														{c.key_masked && (
															<>
																{" · "}
																<span class="mono">{c.key_masked}</span>
															</>
														)}
													</div>
												</td>
												<td>
													<HealthCell id={c.id} entry={entry} />
												</td>
												<td>
													<LastError health={h} />
												</td>
												<td class="num">{fmt.int(c.priority)}</td>
												<td class="num">{fmt.int(c.weight)}</td>
												<td>
													<ModelList models={c.models} />
												</td>
												<td>
													<span class={`badge ${c.status}`}>{t(c.status)}</span>
												</td>
												<td>
													<div class="stack" style={{ gap: "0.25rem", alignItems: "flex-start" }}>
														<button
															type="button"
															class="secondary"
															data-testid={`channel-test-${c.id}`}
															title={t("testTitle", { model: c.models[0] ?? "" })}
															disabled={tests[c.id]?.pending === true}
															onClick={() => void test(c)}
														>
															{tests[c.id]?.pending ? t("testing") : t("test")}
														</button>
														<TestOutcome id={c.id} entry={tests[c.id]} />
													</div>
												</td>
												<td>
													<div class="row" style={{ gap: "0.35rem", flexWrap: "nowrap" }}>
														<button
															type="button"
															class="secondary"
															data-testid={`channel-toggle-${c.id}`}
															disabled={busy === c.id}
															onClick={() => void toggle(c)}
														>
															{c.status === "enabled" ? t("disable") : t("enable")}
														</button>
														<button type="button" class="secondary" data-testid={`channel-edit-${c.id}`} onClick={() => setEditing(c)}>
															{t("edit")}
														</button>
														{h && h.state !== "closed" && (
															<button
																type="button"
																class="secondary"
																data-testid={`channel-reset-${c.id}`}
																disabled={busy === c.id}
																onClick={() => void reset(c)}
															>
																{t("reset")}
															</button>
														)}
														<button type="button" class="danger" data-testid={`channel-delete-${c.id}`} disabled={busy === c.id} onClick={() => remove(c)}>
															{t("delete")}
														</button>
													</div>
												</td>
											</tr>
										);
									})}
								</tbody>
							</table>
						</div>
					)
				}
			</Async>
			{editing !== null && (
				<ChannelDialog
					channel={editing === "new" ? null : editing}
					types={types.data ?? null}
					typesError={types.error?.message ?? null}
					onClose={() => setEditing(null)}
					onSaved={(saved) => {
						setEditing(null);
						list.reload();
						void refreshHealth(saved.id);
					}}
				/>
			)}
		</div>
	);
}

function HealthCell({ id, entry }: { id: number; entry: HealthEntry | undefined }) {
	if (!entry) return <span class="muted">{t("healthUnknown")}</span>;
	if ("error" in entry) {
		return (
			<span class="badge warn" title={t("healthFailed", { error: entry.error })}>
				?
			</span>
		);
	}
	const h = entry.health;
	const title = h.disabled_reason ?? (h.retry_at ? t("retryAt", { time: fmt.time(h.retry_at) }) : undefined);
	return (
		<div>
			<span class={`badge ${h.state}`} data-testid={`channel-health-${id}`} data-state={h.state} title={title}>
				{t(h.state)}
			</span>
			<div class="muted" style={{ fontSize: "0.8rem" }}>
				{h.window.requests === 0 ? t("windowEmpty") : t("window", { rate: pct(h.window.error_rate), requests: fmt.int(h.window.requests) })}
			</div>
		</div>
	);
}

function LastError({ health }: { health: Health | null }) {
	const message = health?.disabled_reason ?? health?.last_error;
	if (!health || !message) return <span class="muted">{t("noError")}</span>;
	return (
		<div style={{ whiteSpace: "normal", maxWidth: "16rem", fontSize: "0.85rem" }} title={message}>
			<div style={{ overflow: "hidden", textOverflow: "ellipsis", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical" }}>{message}</div>
			{health.last_error_at && <div class="muted">{fmt.time(health.last_error_at)}</div>}
		</div>
	);
}

function ModelList({ models }: { models: string[] }) {
	const shown = models.slice(0, 3);
	return (
		<span title={models.join(", ")}>
			{shown.map((m, i) => (
				<span key={m}>
					{i > 0 && " "}
					<code>{m}</code>
				</span>
			))}
			{models.length > shown.length && <span class="muted"> {t("more", { n: models.length - shown.length })}</span>}
		</span>
	);
}

function TestOutcome({ id, entry }: { id: number; entry: TestEntry | undefined }) {
	if (!entry || entry.pending) return null;
	const ok = "result" in entry && entry.result.ok;
	const text =
		"result" in entry
			? entry.result.ok
				? t("testOk", { ms: fmt.ms(entry.result.latency_ms) })
				: t("testFail", { error: entry.result.error ?? `HTTP ${entry.result.status ?? "–"}` })
			: t("testFail", { error: entry.error });
	return (
		<span
			class={`badge ${ok ? "ok" : "error"}`}
			data-testid={`channel-test-result-${id}`}
			role="status"
			style={{ whiteSpace: "normal", maxWidth: "16rem", borderRadius: "6px" }}
		>
			{text}
		</span>
	);
}

interface FormState {
	name: string;
	type: string;
	base_url: string;
	key: string;
	models: string;
	priority: string;
	weight: string;
	groups: string;
}

function initialForm(channel: Channel | null): FormState {
	if (channel) {
		return {
			name: channel.name,
			type: channel.type,
			base_url: channel.base_url ?? "",
			key: "",
			models: channel.models.join(", "),
			priority: String(channel.priority),
			weight: String(channel.weight),
			groups: channel.groups.join(", "),
		};
	}
	return { name: "", type: "", base_url: "", key: "", models: "", priority: "0", weight: "1", groups: "default" };
}

const intOrUndefined = (s: string) => (s.trim() === "" ? undefined : Number(s));

function ChannelDialog({
	channel,
	types,
	typesError,
	onClose,
	onSaved,
}: {
	channel: Channel | null;
	types: ChannelType[] | null;
	typesError: string | null;
	onClose: () => void;
	onSaved: (c: Channel) => void;
}) {
	const ref = useRef<HTMLDialogElement>(null);
	const [form, setForm] = useState<FormState>(() => initialForm(channel));
	const [saving, setSaving] = useState(false);
	const [error, setError] = useState<string | null>(null);

	useEffect(() => {
		const dialog = ref.current;
		if (dialog && !dialog.open) dialog.showModal();
	}, []);

	// A new channel starts on the first OpenAI-wire type (or the first one), its base URL prefilled.
	useEffect(() => {
		if (channel || !types || form.type) return;
		const first = types.find((x) => x.type === "openai") ?? types[0];
		if (first) setForm((f) => ({ ...f, type: first.type, base_url: first.default_base_url ?? "" }));
	}, [channel, types, form.type]);

	const set = (field: keyof FormState) => (e: Event) => {
		const value = (e.currentTarget as HTMLInputElement).value;
		setForm((f) => ({ ...f, [field]: value }));
	};

	const chooseType = (e: Event) => {
		const type = (e.currentTarget as HTMLSelectElement).value;
		const preset = types?.find((x) => x.type === type);
		setForm((f) => ({ ...f, type, base_url: preset?.default_base_url ?? "" }));
	};

	const close = () => ref.current?.close();

	const submit = async (e: Event) => {
		e.preventDefault();
		setSaving(true);
		setError(null);
		const groups = splitList(form.groups);
		const body: Record<string, unknown> = {
			name: form.name.trim(),
			type: form.type,
			base_url: form.base_url.trim() || null,
			models: splitList(form.models),
			priority: intOrUndefined(form.priority),
			weight: intOrUndefined(form.weight),
			groups: groups.length > 0 ? groups : channel ? ["default"] : undefined,
		};
		if (form.key) body.key = form.key;
		try {
			const saved = channel ? await api<Channel>("PATCH", `/api/channels/${channel.id}`, body) : await api<Channel>("POST", "/api/channels", body);
			onSaved(saved);
		} catch (err) {
			setError((err as Error).message);
		} finally {
			setSaving(false);
		}
	};

	const preset = types?.find((x) => x.type === form.type);
	const typeOptions = types ?? (form.type ? [{ type: form.type, wire: "openai", operations: [], default_base_url: null } satisfies ChannelType] : []);

	return (
		<dialog ref={ref} onClose={onClose} aria-labelledby="channel-form-title" data-testid="channel-form">
			<form class="stack" onSubmit={submit} noValidate>
				<h2 id="channel-form-title" style={{ margin: 0 }}>
					{channel ? t("formEdit", { name: channel.name }) : t("formNew")}
				</h2>
				<div class="form-grid">
					<label>
						{t("name")}
						<input name="name" value={form.name} onInput={set("name")} required maxLength={100} autoComplete="off" />
					</label>
					<label>
						{t("type")}
						<select name="type" value={form.type} onChange={chooseType} required>
							{!types && !form.type && <option value="">{typesError ?? t("typesLoading")}</option>}
							{typeOptions.map((x) => (
								<option key={x.type} value={x.type}>
									{x.type}
								</option>
							))}
						</select>
						{preset && <small class="muted">{t("typeHint", { wire: preset.wire, ops: preset.operations.join(", ") })}</small>}
					</label>
				</div>
				<label>
					{t("baseUrl")}
					<input
						name="base_url"
						type="url"
						inputMode="url"
						value={form.base_url}
						onInput={set("base_url")}
						placeholder={preset?.default_base_url ?? "https://…"}
						autoComplete="off"
					/>
					<small class="muted">{t("baseUrlHint")}</small>
				</label>
				<label>
					{t("key")}
					<input
						name="key"
						type="password"
						value={form.key}
						onInput={set("key")}
						autoComplete="new-password"
						placeholder={channel?.key_masked ?? ""}
						maxLength={4096}
					/>
					<small class="muted">{channel ? (channel.key_masked ? t("keyKeep", { masked: channel.key_masked }) : t("keyKeepNone")) : t("keyNew")}</small>
				</label>
				<label>
					{t("models")}
					<input name="models" value={form.models} onInput={set("models")} required placeholder="gpt-4o-mini, gpt-4o" autoComplete="off" />
					<small class="muted">{t("modelsHint")}</small>
				</label>
				<div class="form-grid">
					<label>
						{t("priority")}
						<input name="priority" type="number" step={1} min={-1000} max={1000} value={form.priority} onInput={set("priority")} />
						<small class="muted">{t("priorityHint")}</small>
					</label>
					<label>
						{t("weight")}
						<input name="weight" type="number" step={1} min={0} max={10000} value={form.weight} onInput={set("weight")} />
						<small class="muted">{t("weightHint")}</small>
					</label>
				</div>
				<label>
					{t("groups")}
					<input name="groups" value={form.groups} onInput={set("groups")} autoComplete="off" />
					<small class="muted">{t("groupsHint")}</small>
				</label>
				{(error ?? typesError) && (
					<div class="state error" role="alert" data-testid="channel-form-error">
						{error ?? typesError}
					</div>
				)}
				<div class="row" style={{ justifyContent: "flex-end" }}>
					<button type="button" class="secondary" onClick={close}>
						{t("cancel")}
					</button>
					<button type="submit" data-testid="channel-save" disabled={saving || !form.type}>
						{saving ? t("saving") : t("save")}
					</button>
				</div>
			</form>
		</dialog>
	);
}
