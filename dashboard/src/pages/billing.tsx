import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, get, query } from "../api";
import { Async, ErrorBox, useLoad } from "../components/async";
import { CopyButton } from "../components/copy-button";
import { fmt, lang, translator } from "../i18n";
import { isAdmin, session } from "../session";

const t = translator({
	en: {
		title: "Billing",
		refresh: "Refresh",
		user: "User",
		allUsers: "All users",
		noUsers: "No users yet: create one first.",
		balance: "Balance",
		balanceOf: "Balance of {name}",
		pickUser: "Pick a user to see their balance.",
		ledger: "Ledger",
		kind: "Kind",
		allKinds: "All kinds",
		time: "Time",
		amount: "Amount",
		balanceAfter: "Balance after",
		detail: "Request / note",
		noEntries: "No ledger entries yet.",
		loadMore: "Load more",
		loadingMore: "Loading…",
		end: "End of the list.",
		topup: "Top up",
		topupHint: "Credits {name}'s balance. A retry of the same submission is applied once.",
		topupNeedsUser: "Pick a user above to top up.",
		amountUsd: "Amount (USD)",
		note: "Note (optional)",
		submit: "Add credit",
		saving: "Saving…",
		toppedUp: "Added {amount}. New balance: {balance}.",
		invalidAmount: "Enter an amount greater than zero.",
		redeem: "Redeem a code",
		redeemHint: "Credits the balance with the code's value. Each code works once.",
		redeemFor: "Credits {name}.",
		redeemNeedsUser: "Pick a user above to redeem a code for.",
		code: "Code",
		redeemSubmit: "Redeem",
		redeemed: "Code redeemed: {amount} added. New balance: {balance}.",
		codes: "Redemption codes",
		createCodes: "Create codes",
		count: "How many",
		valueUsd: "Value each (USD)",
		expiresAt: "Expires (optional)",
		batch: "Batch label (optional)",
		batchHint: "letters, digits and . _ : -",
		batchCol: "Batch",
		create: "Create",
		created: "{count} codes of {value} created in batch {batch}.",
		showOnce: "These codes are shown only now: copy them before leaving this page.",
		copyAll: "Copy all",
		dismiss: "Dismiss",
		filterBatch: "Filter by batch",
		filter: "Filter",
		clear: "Clear",
		prefix: "Code",
		value: "Value",
		state: "State",
		expires: "Expires",
		redeemedBy: "Redeemed by",
		redeemedAt: "Redeemed at",
		createdAt: "Created",
		never: "Never",
		noCodes: "No redemption codes yet.",
		available: "Available",
		redeemedState: "Redeemed",
		expired: "Expired",
		prices: "Prices",
		pricesHint: "USD per million tokens. Click a row to edit it.",
		model: "Model",
		channel: "Channel",
		general: "All channels",
		inputPrice: "Input",
		outputPrice: "Output",
		cachedPrice: "Cached input",
		cacheWritePrice: "Cache write",
		requestPrice: "Per request",
		since: "Since",
		noPrices: "No prices yet: requests are free until a model has one.",
		setPrice: "Set a price",
		channelIdOptional: "Channel ID (optional, an override)",
		asInput: "as input",
		savePrice: "Save price",
		priceSaved: "Price of {model} saved.",
		topup_kind: "Top-up",
		usage_kind: "Usage",
		refund_kind: "Refund",
		adjustment_kind: "Adjustment",
		redemption_kind: "Redemption",
		none: "–",
	},
	zh: {
		title: "账单",
		refresh: "刷新",
		user: "用户",
		allUsers: "全部用户",
		noUsers: "还没有用户，请先创建用户。",
		balance: "余额",
		balanceOf: "{name} 的余额",
		pickUser: "选择一个用户以查看其余额。",
		ledger: "账目明细",
		kind: "类型",
		allKinds: "全部类型",
		time: "时间",
		amount: "金额",
		balanceAfter: "变动后余额",
		detail: "请求 / 备注",
		noEntries: "还没有账目记录。",
		loadMore: "加载更多",
		loadingMore: "加载中…",
		end: "已到末尾。",
		topup: "充值",
		topupHint: "为 {name} 增加余额。同一次提交重试时只会入账一次。",
		topupNeedsUser: "请先在上方选择要充值的用户。",
		amountUsd: "金额（美元）",
		note: "备注（可选）",
		submit: "充值",
		saving: "保存中…",
		toppedUp: "已充值 {amount}。当前余额：{balance}。",
		invalidAmount: "请输入大于零的金额。",
		redeem: "兑换码兑换",
		redeemHint: "按兑换码面值增加余额。每个兑换码只能使用一次。",
		redeemFor: "将为 {name} 入账。",
		redeemNeedsUser: "请先在上方选择要兑换的用户。",
		code: "兑换码",
		redeemSubmit: "兑换",
		redeemed: "兑换成功：已增加 {amount}。当前余额：{balance}。",
		codes: "兑换码管理",
		createCodes: "生成兑换码",
		count: "数量",
		valueUsd: "单个面值（美元）",
		expiresAt: "过期时间（可选）",
		batch: "批次标签（可选）",
		batchHint: "字母、数字及 . _ : -",
		batchCol: "批次",
		create: "生成",
		created: "已在批次 {batch} 中生成 {count} 个面值 {value} 的兑换码。",
		showOnce: "兑换码仅在此显示一次，请在离开本页前复制保存。",
		copyAll: "全部复制",
		dismiss: "关闭",
		filterBatch: "按批次筛选",
		filter: "筛选",
		clear: "清除",
		prefix: "兑换码",
		value: "面值",
		state: "状态",
		expires: "过期时间",
		redeemedBy: "兑换用户",
		redeemedAt: "兑换时间",
		createdAt: "创建时间",
		never: "永不过期",
		noCodes: "还没有兑换码。",
		available: "可用",
		redeemedState: "已兑换",
		expired: "已过期",
		prices: "价格",
		pricesHint: "单位：美元 / 百万令牌。点击某行可编辑。",
		model: "模型",
		channel: "渠道",
		general: "全部渠道",
		inputPrice: "输入",
		outputPrice: "输出",
		cachedPrice: "缓存输入",
		cacheWritePrice: "缓存写入",
		requestPrice: "每次请求",
		since: "生效时间",
		noPrices: "还没有价格：模型设置价格之前请求免费。",
		setPrice: "设置价格",
		channelIdOptional: "渠道 ID（可选，渠道专属价格）",
		asInput: "同输入",
		savePrice: "保存价格",
		priceSaved: "已保存 {model} 的价格。",
		topup_kind: "充值",
		usage_kind: "用量扣费",
		refund_kind: "退款",
		adjustment_kind: "调整",
		redemption_kind: "兑换",
		none: "–",
	},
});

type Kind = "topup" | "usage" | "refund" | "adjustment" | "redemption";
const KINDS: Kind[] = ["topup", "usage", "refund", "adjustment", "redemption"];
const KIND_BADGE: Record<Kind, string> = { topup: "ok", redemption: "ok", refund: "ok", usage: "", adjustment: "warn" };

interface User {
	id: number;
	name: string;
	role: "admin" | "user";
	balance_usd: number;
}

interface Balance {
	user_id: number;
	balance_usd: number;
}

interface LedgerEntry {
	id: number;
	user_id: number;
	token_id: number | null;
	kind: Kind;
	amount_usd: number;
	balance_before_usd: number | null;
	balance_after_usd: number | null;
	request_id: string | null;
	note: string | null;
	created_at: string;
}

interface Page<T> {
	data: T[];
	next_cursor: string | null;
}

interface Code {
	id: number;
	code_prefix: string;
	batch: string;
	value_usd: number;
	state: "available" | "redeemed" | "expired";
	expires_at: string | null;
	redeemed_by: number | null;
	redeemed_at: string | null;
	created_at: string;
}

interface CreatedCodes {
	batch: string;
	value_usd: number;
	expires_at: string | null;
	codes: string[];
}

interface Price {
	id: number;
	model: string;
	channel_id: number | null;
	input_usd_per_mtok: number;
	output_usd_per_mtok: number;
	cached_input_usd_per_mtok: number | null;
	cache_write_usd_per_mtok: number | null;
	request_usd: number;
	valid_from: string;
}

type Message = { ok: boolean; text: string } | null;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Prices are small and exact (0.075 per 1M tokens): up to six decimals rather than fmt.usd's two. */
const exactUsd = (n: number) =>
	new Intl.NumberFormat(lang.value === "zh" ? "zh-CN" : "en-US", {
		style: "currency",
		currency: "USD",
		minimumFractionDigits: 2,
		maximumFractionDigits: 6,
	}).format(n);

/** crypto.randomUUID exists only in secure contexts (https, localhost); the dashboard may be served over plain http. */
function uuid(): string {
	if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A number field's value; NaN when empty or not a number. */
const num = (data: FormData, name: string) => {
	const raw = String(data.get(name) ?? "").trim();
	return raw === "" ? Number.NaN : Number(raw);
};

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

type Paged<T> = ReturnType<typeof usePaged<T>>;

function MoreButton<T>({ paged, testid }: { paged: Paged<T>; testid: string }) {
	return (
		<>
			<div class="row" style={{ justifyContent: "flex-end" }}>
				{paged.next ? (
					<button type="button" class="secondary" onClick={paged.loadMore} disabled={paged.busy} data-testid={testid}>
						{paged.busy ? t("loadingMore") : t("loadMore")}
					</button>
				) : (
					<span class="muted">{t("end")}</span>
				)}
			</div>
			{paged.error && <ErrorBox error={paged.error} retry={paged.loadMore} />}
		</>
	);
}

function Notice({ msg, testid }: { msg: Message; testid: string }) {
	if (!msg) return null;
	return msg.ok ? (
		<p role="status" data-testid={testid} style={{ color: "var(--ok)", margin: 0 }}>
			{msg.text}
		</p>
	) : (
		<div class="state error" role="alert" data-testid={testid}>
			{msg.text}
		</div>
	);
}

function Section({ title, hint, children, testid }: { title: string; hint?: string; children: ComponentChildren; testid: string }) {
	return (
		<section class="card stack" data-testid={testid}>
			<h2 style={{ margin: 0 }}>{title}</h2>
			{hint && (
				<p class="muted" style={{ margin: 0 }}>
					{hint}
				</p>
			)}
			{children}
		</section>
	);
}

/** Runs a form's submission with busy state and a success or error message. */
function useSubmit() {
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState<Message>(null);
	const run = async (work: () => Promise<string>) => {
		setBusy(true);
		setMsg(null);
		try {
			setMsg({ ok: true, text: await work() });
		} catch (err) {
			setMsg({ ok: false, text: messageOf(err) });
		} finally {
			setBusy(false);
		}
	};
	return { busy, msg, setMsg, run };
}

function Signed({ usd }: { usd: number }) {
	const color = usd > 0 ? "var(--ok)" : usd < 0 ? "var(--danger)" : undefined;
	return (
		<span style={{ color }} title={String(usd)}>
			{usd > 0 ? "+" : ""}
			{fmt.usd(usd)}
		</span>
	);
}

function BalanceCard({ userId, name, version }: { userId: number | null; name: string; version: number }) {
	const admin = isAdmin.value;
	const load = useLoad<Balance | null>(
		() => (admin && userId === null ? Promise.resolve(null) : get<Balance>(`/api/billing/balance${query({ user_id: admin ? userId : undefined })}`)),
		[admin, userId, version],
	);
	return (
		<div class="card stat" data-testid="balance">
			<Async load={load}>
				{(b) =>
					b ? (
						<>
							<div class="value" title={String(b.balance_usd)} style={{ color: b.balance_usd < 0 ? "var(--danger)" : undefined }}>
								{fmt.usd(b.balance_usd)}
							</div>
							<div class="label">{admin ? t("balanceOf", { name }) : t("balance")}</div>
						</>
					) : (
						<div class="muted">{t("pickUser")}</div>
					)
				}
			</Async>
		</div>
	);
}

function Ledger({ userId, version, names }: { userId: number | null; version: number; names: Map<number, string> }) {
	const admin = isAdmin.value;
	const [kind, setKind] = useState<Kind | "">("");
	const paged = usePaged<LedgerEntry>(
		(cursor) => `/api/billing/ledger${query({ user_id: admin ? userId : undefined, kind, limit: 50, cursor })}`,
		[admin, userId, kind, version],
	);
	const showUser = admin && userId === null;
	return (
		<Section title={t("ledger")} testid="ledger">
			<label class="inline">
				{t("kind")}
				<select value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind | "")} data-testid="ledger-kind" style={{ width: "auto" }}>
					<option value="">{t("allKinds")}</option>
					{KINDS.map((k) => (
						<option key={k} value={k}>
							{t(`${k}_kind`)}
						</option>
					))}
				</select>
			</label>
			<Async load={paged.first}>
				{() =>
					paged.rows.length === 0 ? (
						<div class="state empty">{t("noEntries")}</div>
					) : (
						<>
							<div class="table-wrap">
								<table>
									<thead>
										<tr>
											<th>{t("time")}</th>
											{showUser && <th>{t("user")}</th>}
											<th>{t("kind")}</th>
											<th class="num">{t("amount")}</th>
											<th class="num">{t("balanceAfter")}</th>
											<th>{t("detail")}</th>
										</tr>
									</thead>
									<tbody>
										{paged.rows.map((e) => (
											<tr key={e.id} data-testid="ledger-row">
												<td>{fmt.time(e.created_at)}</td>
												{showUser && <td>{names.get(e.user_id) ?? `#${e.user_id}`}</td>}
												<td>
													<span class={`badge ${KIND_BADGE[e.kind] ?? ""}`}>{KINDS.includes(e.kind) ? t(`${e.kind}_kind`) : e.kind}</span>
												</td>
												<td class="num">
													<Signed usd={e.amount_usd} />
												</td>
												<td class="num">{e.balance_after_usd === null ? t("none") : fmt.usd(e.balance_after_usd)}</td>
												<td class="muted" style={{ whiteSpace: "normal", minWidth: "12rem" }}>
													{e.request_id ? (
														<a class="mono" href={`/usage${query({ request: e.request_id })}`} title={e.request_id}>
															{e.request_id.length > 12 ? `${e.request_id.slice(0, 12)}…` : e.request_id}
														</a>
													) : null}
													{e.request_id && e.note ? " · " : null}
													{e.note}
												</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
							<MoreButton paged={paged} testid="ledger-more" />
						</>
					)
				}
			</Async>
		</Section>
	);
}

function TopupForm({ user, onDone }: { user: User | null; onDone: () => void }) {
	const { busy, msg, setMsg, run } = useSubmit();
	// One key per submission, kept until it succeeds: a retry after a lost answer credits once; any edit starts a new one.
	const key = useRef<string | null>(null);
	useEffect(() => {
		key.current = null;
	}, [user?.id]);
	const submit = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const data = new FormData(form);
		const amount = num(data, "amount");
		if (!user) return;
		if (!(amount > 0)) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		const note = String(data.get("note") ?? "").trim();
		key.current ??= uuid();
		const idempotencyKey = key.current;
		void run(async () => {
			const entry = await api<LedgerEntry>("POST", "/api/billing/topup", {
				user_id: user.id,
				amount_usd: amount,
				...(note ? { note } : {}),
				idempotency_key: idempotencyKey,
			});
			key.current = null;
			form.reset();
			onDone();
			return t("toppedUp", { amount: fmt.usd(entry.amount_usd), balance: entry.balance_after_usd === null ? t("none") : fmt.usd(entry.balance_after_usd) });
		});
	};
	return (
		<Section title={t("topup")} hint={user ? t("topupHint", { name: user.name }) : t("topupNeedsUser")} testid="topup">
			<form
				class="stack"
				onSubmit={submit}
				onInput={() => {
					key.current = null;
				}}
			>
				<div class="form-grid">
					<label>
						{t("amountUsd")}
						<input name="amount" type="number" min="0" step="any" required inputMode="decimal" data-testid="topup-amount" />
					</label>
					<label>
						{t("note")}
						<input name="note" maxLength={500} data-testid="topup-note" />
					</label>
				</div>
				<div class="row">
					<button type="submit" disabled={busy || !user} data-testid="topup-submit">
						{busy ? t("saving") : t("submit")}
					</button>
				</div>
				<Notice msg={msg} testid="topup-message" />
			</form>
		</Section>
	);
}

function RedeemForm({ user, onDone }: { user: User | null; onDone: () => void }) {
	const admin = isAdmin.value;
	const { busy, msg, run } = useSubmit();
	const needsUser = admin && !user;
	const submit = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const code = String(new FormData(form).get("code") ?? "").trim();
		if (!code || needsUser) return;
		void run(async () => {
			const entry = await api<LedgerEntry>("POST", "/api/redemptions/redeem", { code, ...(admin && user ? { user_id: user.id } : {}) });
			form.reset();
			onDone();
			return t("redeemed", { amount: fmt.usd(entry.amount_usd), balance: entry.balance_after_usd === null ? t("none") : fmt.usd(entry.balance_after_usd) });
		});
	};
	const hint = needsUser ? t("redeemNeedsUser") : admin && user ? `${t("redeemHint")} ${t("redeemFor", { name: user.name })}` : t("redeemHint");
	return (
		<Section title={t("redeem")} hint={hint} testid="redeem">
			<form class="stack" onSubmit={submit}>
				<label>
					{t("code")}
					<input name="code" required autoComplete="off" spellcheck={false} placeholder="RC-XXXXX-XXXXX-XXXXX-XXXXX" class="mono" data-testid="redeem-code" />
				</label>
				<div class="row">
					<button type="submit" disabled={busy || needsUser} data-testid="redeem-submit">
						{busy ? t("saving") : t("redeemSubmit")}
					</button>
				</div>
				<Notice msg={msg} testid="redeem-message" />
			</form>
		</Section>
	);
}

const CODE_BADGE: Record<Code["state"], string> = { available: "ok", redeemed: "", expired: "warn" };
const CODE_LABEL = { available: "available", redeemed: "redeemedState", expired: "expired" } as const;

function Redemptions({ names, onChange }: { names: Map<number, string>; onChange: () => void }) {
	const { busy, msg, setMsg, run } = useSubmit();
	const [created, setCreated] = useState<CreatedCodes | null>(null);
	const [batch, setBatch] = useState("");
	const [batchDraft, setBatchDraft] = useState("");
	const [version, setVersion] = useState(0);
	const paged = usePaged<Code>((cursor) => `/api/redemptions${query({ batch, limit: 50, cursor })}`, [batch, version]);

	const create = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const data = new FormData(form);
		const count = num(data, "count");
		const value = num(data, "value");
		if (!(value > 0) || !(count >= 1)) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		const expiresLocal = String(data.get("expires") ?? "");
		const expires = expiresLocal ? new Date(expiresLocal) : null;
		const label = String(data.get("batch") ?? "").trim();
		void run(async () => {
			const answer = await api<CreatedCodes>("POST", "/api/redemptions", {
				count: Math.floor(count),
				value_usd: value,
				...(expires && Number.isFinite(expires.getTime()) ? { expires_at: expires.toISOString() } : {}),
				...(label ? { batch: label } : {}),
			});
			setCreated(answer);
			form.reset();
			setVersion((v) => v + 1);
			onChange();
			return t("created", { count: fmt.int(answer.codes.length), value: fmt.usd(answer.value_usd), batch: answer.batch });
		});
	};

	return (
		<Section title={t("codes")} testid="redemptions">
			<form class="stack" onSubmit={create}>
				<h3 style={{ margin: 0, fontSize: "1rem" }}>{t("createCodes")}</h3>
				<div class="form-grid">
					<label>
						{t("count")}
						<input name="count" type="number" min="1" max="1000" step="1" required defaultValue="1" data-testid="codes-count" />
					</label>
					<label>
						{t("valueUsd")}
						<input name="value" type="number" min="0" max="100000" step="any" required inputMode="decimal" data-testid="codes-value" />
					</label>
					<label>
						{t("expiresAt")}
						<input name="expires" type="datetime-local" data-testid="codes-expires" />
					</label>
					<label>
						{t("batch")}
						<input name="batch" maxLength={100} pattern="[\w.:\-]+" title={t("batchHint")} data-testid="codes-batch" />
					</label>
				</div>
				<div class="row">
					<button type="submit" disabled={busy} data-testid="codes-create">
						{busy ? t("saving") : t("create")}
					</button>
				</div>
				<Notice msg={msg} testid="codes-message" />
			</form>
			{created && (
				<div class="stack" data-testid="created-codes" style={{ border: "1px solid var(--warn)", borderRadius: "var(--radius)", padding: "0.75rem" }}>
					<strong style={{ color: "var(--warn)" }}>{t("showOnce")}</strong>
					<pre style={{ margin: 0, maxHeight: "16rem" }}>{created.codes.join("\n")}</pre>
					<div class="row">
						<CopyButton text={created.codes.join("\n")} label={t("copyAll")} />
						<button type="button" class="secondary" onClick={() => setCreated(null)}>
							{t("dismiss")}
						</button>
					</div>
				</div>
			)}
			<form
				class="row"
				onSubmit={(e) => {
					e.preventDefault();
					setBatch(batchDraft.trim());
				}}
			>
				<label class="inline">
					{t("filterBatch")}
					<input value={batchDraft} onInput={(e) => setBatchDraft(e.currentTarget.value)} data-testid="codes-filter" style={{ width: "14rem" }} />
				</label>
				<button type="submit" class="secondary">
					{t("filter")}
				</button>
				{batch && (
					<button
						type="button"
						class="link"
						onClick={() => {
							setBatch("");
							setBatchDraft("");
						}}
					>
						{t("clear")}
					</button>
				)}
			</form>
			<Async load={paged.first}>
				{() =>
					paged.rows.length === 0 ? (
						<div class="state empty">{t("noCodes")}</div>
					) : (
						<>
							<div class="table-wrap">
								<table>
									<thead>
										<tr>
											<th>{t("prefix")}</th>
											<th>{t("batchCol")}</th>
											<th class="num">{t("value")}</th>
											<th>{t("state")}</th>
											<th>{t("expires")}</th>
											<th>{t("redeemedBy")}</th>
											<th>{t("redeemedAt")}</th>
											<th>{t("createdAt")}</th>
										</tr>
									</thead>
									<tbody>
										{paged.rows.map((c) => (
											<tr key={c.id} data-testid="code-row">
												<td class="mono">{c.code_prefix}</td>
												<td>
													<button
														type="button"
														class="link"
														onClick={() => {
															setBatch(c.batch);
															setBatchDraft(c.batch);
														}}
													>
														{c.batch}
													</button>
												</td>
												<td class="num">{fmt.usd(c.value_usd)}</td>
												<td>
													<span class={`badge ${CODE_BADGE[c.state] ?? ""}`}>{t(CODE_LABEL[c.state] ?? "available")}</span>
												</td>
												<td>{c.expires_at ? fmt.time(c.expires_at) : t("never")}</td>
												<td>{c.redeemed_by === null ? t("none") : (names.get(c.redeemed_by) ?? `#${c.redeemed_by}`)}</td>
												<td>{c.redeemed_at ? fmt.time(c.redeemed_at) : t("none")}</td>
												<td>{fmt.time(c.created_at)}</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
							<MoreButton paged={paged} testid="codes-more" />
						</>
					)
				}
			</Async>
		</Section>
	);
}

interface PriceDraft {
	model: string;
	channel_id: string;
	input: string;
	output: string;
	cached: string;
	cache_write: string;
	request: string;
}

const EMPTY_PRICE: PriceDraft = { model: "", channel_id: "", input: "", output: "", cached: "", cache_write: "", request: "" };

const draftOf = (p: Price): PriceDraft => ({
	model: p.model,
	channel_id: p.channel_id === null ? "" : String(p.channel_id),
	input: String(p.input_usd_per_mtok),
	output: String(p.output_usd_per_mtok),
	cached: p.cached_input_usd_per_mtok === null ? "" : String(p.cached_input_usd_per_mtok),
	cache_write: p.cache_write_usd_per_mtok === null ? "" : String(p.cache_write_usd_per_mtok),
	request: p.request_usd ? String(p.request_usd) : "",
});

function Prices() {
	const [version, setVersion] = useState(0);
	const load = useLoad(() => get<{ data: Price[] }>("/api/prices"), [version]);
	const [draft, setDraft] = useState<PriceDraft>(EMPTY_PRICE);
	const { busy, msg, setMsg, run } = useSubmit();
	const set = (key: keyof PriceDraft) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
	const optional = (s: string) => (s.trim() === "" ? null : Number(s));

	const submit = (e: Event) => {
		e.preventDefault();
		const model = draft.model.trim();
		const body = {
			input_usd_per_mtok: Number(draft.input),
			output_usd_per_mtok: Number(draft.output),
			cached_input_usd_per_mtok: optional(draft.cached),
			cache_write_usd_per_mtok: optional(draft.cache_write),
			request_usd: optional(draft.request) ?? 0,
			channel_id: optional(draft.channel_id),
		};
		if (!model || Object.values(body).some((v) => v !== null && !Number.isFinite(v))) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		void run(async () => {
			await api<Price>("PUT", `/api/prices/${encodeURIComponent(model)}`, body);
			setVersion((v) => v + 1);
			return t("priceSaved", { model });
		});
	};

	const optionalCell = (v: number | null) => (v === null ? <span class="muted">{t("asInput")}</span> : exactUsd(v));

	return (
		<Section title={t("prices")} hint={t("pricesHint")} testid="prices">
			<Async load={load}>
				{(p) =>
					(p.data ?? []).length === 0 ? (
						<div class="state empty">{t("noPrices")}</div>
					) : (
						<div class="table-wrap">
							<table>
								<thead>
									<tr>
										<th>{t("model")}</th>
										<th>{t("channel")}</th>
										<th class="num">{t("inputPrice")}</th>
										<th class="num">{t("outputPrice")}</th>
										<th class="num">{t("cachedPrice")}</th>
										<th class="num">{t("cacheWritePrice")}</th>
										<th class="num">{t("requestPrice")}</th>
										<th>{t("since")}</th>
									</tr>
								</thead>
								<tbody>
									{p.data.map((row) => (
										<tr
											key={row.id}
											class="clickable"
											data-testid="price-row"
											tabIndex={0}
											onClick={() => setDraft(draftOf(row))}
											onKeyDown={(e) => {
												if (e.key === "Enter") setDraft(draftOf(row));
											}}
										>
											<td>{row.model}</td>
											<td>{row.channel_id === null ? <span class="muted">{t("general")}</span> : `#${row.channel_id}`}</td>
											<td class="num">{exactUsd(row.input_usd_per_mtok)}</td>
											<td class="num">{exactUsd(row.output_usd_per_mtok)}</td>
											<td class="num">{optionalCell(row.cached_input_usd_per_mtok)}</td>
											<td class="num">{optionalCell(row.cache_write_usd_per_mtok)}</td>
											<td class="num">{exactUsd(row.request_usd)}</td>
											<td>{fmt.time(row.valid_from)}</td>
										</tr>
									))}
								</tbody>
							</table>
						</div>
					)
				}
			</Async>
			<form class="stack" onSubmit={submit} data-testid="price-form">
				<h3 style={{ margin: 0, fontSize: "1rem" }}>{t("setPrice")}</h3>
				<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
					<label>
						{t("model")}
						<input value={draft.model} onInput={set("model")} required maxLength={200} data-testid="price-model" />
					</label>
					<label>
						{t("channelIdOptional")}
						<input value={draft.channel_id} onInput={set("channel_id")} type="number" min="1" step="1" data-testid="price-channel" />
					</label>
					<label>
						{t("inputPrice")}
						<input value={draft.input} onInput={set("input")} type="number" min="0" step="any" required data-testid="price-input" />
					</label>
					<label>
						{t("outputPrice")}
						<input value={draft.output} onInput={set("output")} type="number" min="0" step="any" required data-testid="price-output" />
					</label>
					<label>
						{t("cachedPrice")}
						<input value={draft.cached} onInput={set("cached")} type="number" min="0" step="any" placeholder={t("asInput")} data-testid="price-cached" />
					</label>
					<label>
						{t("cacheWritePrice")}
						<input
							value={draft.cache_write}
							onInput={set("cache_write")}
							type="number"
							min="0"
							step="any"
							placeholder={t("asInput")}
							data-testid="price-cache-write"
						/>
					</label>
					<label>
						{t("requestPrice")}
						<input value={draft.request} onInput={set("request")} type="number" min="0" step="any" placeholder="0" data-testid="price-request" />
					</label>
				</div>
				<div class="row">
					<button type="submit" disabled={busy} data-testid="price-submit">
						{busy ? t("saving") : t("savePrice")}
					</button>
					<button type="button" class="secondary" onClick={() => setDraft(EMPTY_PRICE)}>
						{t("clear")}
					</button>
				</div>
				<Notice msg={msg} testid="price-message" />
			</form>
		</Section>
	);
}

/** The operator's billing: a user picker above the balance, top-up and redemption forms and ledger; codes and prices. */
function AdminBilling() {
	const users = useLoad(() => get<{ data: User[] }>("/api/users"), []);
	const [version, setVersion] = useState(0);
	const bump = () => setVersion((v) => v + 1);
	return (
		<div class="stack">
			<div class="row spread">
				<h1 style={{ margin: 0 }}>{t("title")}</h1>
				<button
					type="button"
					class="secondary"
					onClick={() => {
						bump();
						users.reload();
					}}
					data-testid="billing-refresh"
				>
					{t("refresh")}
				</button>
			</div>
			<Async load={users}>{(u) => <PerUser users={u.data ?? []} version={version} onChange={bump} />}</Async>
			<Redemptions names={new Map((users.data?.data ?? []).map((u) => [u.id, u.name]))} onChange={bump} />
			<Prices />
		</div>
	);
}

/** What the operator sees of one user (or, with "all users", the whole ledger). */
function PerUser({ users, version, onChange }: { users: User[]; version: number; onChange: () => void }) {
	const [picked, setPicked] = useState<number | null | undefined>(undefined);
	const own = session.value?.userId ?? null;
	const fallback = users.find((u) => u.id === own)?.id ?? users[0]?.id ?? null;
	const userId = picked === undefined ? fallback : picked;
	const user = users.find((u) => u.id === userId) ?? null;
	const names = new Map(users.map((u) => [u.id, u.name]));
	return (
		<>
			{users.length === 0 ? (
				<div class="state empty">{t("noUsers")}</div>
			) : (
				<label class="inline">
					{t("user")}
					<select
						value={userId === null ? "" : String(userId)}
						onChange={(e) => {
							const v = e.currentTarget.value;
							setPicked(v === "" ? null : Number(v));
						}}
						data-testid="billing-user"
						style={{ width: "auto", maxWidth: "100%" }}
					>
						<option value="">{t("allUsers")}</option>
						{users.map((u) => (
							<option key={u.id} value={String(u.id)}>
								{u.name} (#{u.id})
							</option>
						))}
					</select>
				</label>
			)}
			<div class="cards">
				<BalanceCard userId={userId} name={user?.name ?? ""} version={version} />
			</div>
			<div class="grid">
				<TopupForm user={user} onDone={onChange} />
				<RedeemForm user={user} onDone={onChange} />
			</div>
			<Ledger userId={userId} version={version} names={names} />
		</>
	);
}

/** A user's own billing: balance, ledger and redeeming a code. */
function UserBilling() {
	const [version, setVersion] = useState(0);
	const bump = () => setVersion((v) => v + 1);
	const s = session.value;
	const own = s?.userId ?? null;
	return (
		<div class="stack">
			<div class="row spread">
				<h1 style={{ margin: 0 }}>{t("title")}</h1>
				<button type="button" class="secondary" onClick={bump} data-testid="billing-refresh">
					{t("refresh")}
				</button>
			</div>
			<div class="grid">
				<div class="cards">
					<BalanceCard userId={own} name={s?.name ?? ""} version={version} />
				</div>
				<RedeemForm user={null} onDone={bump} />
			</div>
			<Ledger userId={own} version={version} names={new Map()} />
		</div>
	);
}

export function BillingPage() {
	return isAdmin.value ? <AdminBilling /> : <UserBilling />;
}
