/** The table of keys: status, owner, models, limits and spend, with each key's actions. */

import type { Token } from "../../components/api-types";
import { DataTable } from "../../components/data-table";
import { ModelList } from "../../components/model-list";
import { fmt } from "../../i18n";
import { LIMIT_FIELDS, limitValue } from "./limit-fields";
import { Lock } from "./operator-note";
import { t } from "./strings";

/** A TTL in its largest whole unit: 90 s, 15 min, 1 h, 30 d. */
function duration(seconds: number): string {
	for (const [unit, size] of [
		["ttlDays", 86_400],
		["ttlHours", 3_600],
		["ttlMinutes", 60],
	] as const) {
		if (seconds % size === 0) return t(unit, { n: fmt.int(seconds / size) });
	}
	return t("ttlSeconds", { n: fmt.int(seconds) });
}

const isExpired = (k: Token) => k.expires_at !== null && Date.parse(k.expires_at) <= Date.now();

/** The key's limits in a line, each the operator set marked with a lock. */
function LimitSummary({ token: k }: { token: Token }) {
	const set = LIMIT_FIELDS.flatMap((f) => {
		const value = k[f.name];
		return value === null ? [] : [{ f, text: t(f.summary, { n: limitValue(f, value) }), locked: k.operator_limits[f.name] !== undefined }];
	});
	if (set.length === 0) return <span class="muted">{t("noLimits")}</span>;
	return (
		<div class="limits">
			{set.map(({ f, text, locked }, i) => (
				<span key={f.name}>
					{i > 0 && " · "}
					<span class="nowrap">
						{locked && <Lock />}
						{text}
					</span>
				</span>
			))}
		</div>
	);
}

function Status({ token: k }: { token: Token }) {
	return (
		<>
			<span class={`badge ${k.status === "locked" ? "error" : k.status}`} data-testid={`key-status-${k.id}`}>
				{t(k.status)}
			</span>{" "}
			{isExpired(k) ? (
				<span class="badge warn">{t("expired")}</span>
			) : (
				k.expiring_soon && (
					<span class="badge warn" data-testid={`key-expiring-${k.id}`}>
						{t("expiringSoon")}
					</span>
				)
			)}
		</>
	);
}

/** The name, with the key's tags and, when narrowed, what it may call and from where, and its response cache. */
function Name({ token: k }: { token: Token }) {
	return (
		<>
			<strong>{k.name}</strong>
			{k.tags.length > 0 && <div class="muted">{k.tags.map((tag) => `#${tag}`).join(" ")}</div>}
			{k.scopes && <div class="muted">{k.scopes.join(", ")}</div>}
			{k.ip_allow && <div class="muted">{k.ip_allow.join(", ")}</div>}
			{k.auto_rotate && <div class="muted">{t("autoRenew")}</div>}
			{k.batch_concurrency !== null && (
				<div class="muted" data-testid={`key-batch-concurrency-${k.id}`}>
					{t("batchConcurrency", { n: fmt.int(k.batch_concurrency) })}
				</div>
			)}
			{k.cache && (
				<div class="muted" data-testid={`key-cache-${k.id}`}>
					{t(k.cache.mode === "exact" ? "cacheSummaryExact" : "cacheSummarySemantic", { ttl: duration(k.cache.ttl_seconds), threshold: k.cache.threshold })}
				</div>
			)}
		</>
	);
}

/**
 * The secret's prefix, with the button that rotates it and, while a rotation's grace lasts, the old secret's prefix
 * and until when it works.
 */
function Prefixes({ token: k, busy, onRotate }: { token: Token; busy: boolean; onRotate: (k: Token) => void }) {
	return (
		<div class="stack" style={{ gap: "0.25rem" }}>
			<code>{k.key_prefix}</code>
			{k.previous_key_prefix && k.previous_key_expires_at && (
				<small class="muted" style={{ whiteSpace: "normal" }} data-testid={`key-previous-${k.id}`}>
					{t("previousUntil", { prefix: k.previous_key_prefix, time: fmt.time(k.previous_key_expires_at) })}
				</small>
			)}
			<div class="actions">
				<button type="button" class="secondary" data-testid={`key-rotate-${k.id}`} disabled={busy} onClick={() => onRotate(k)}>
					{t("rotate")}
				</button>
			</div>
		</div>
	);
}

/** When the key was last used, and how many requests it has served. */
function Used({ token: k }: { token: Token }) {
	if (!k.last_used_at) return <span class="muted">{t("neverUsed")}</span>;
	return (
		<>
			{fmt.time(k.last_used_at)}
			<div class="muted">{t("requests", { n: fmt.int(k.request_count) })}</div>
		</>
	);
}

function Models({ token: k }: { token: Token }) {
	if (!k.models || k.models.length === 0) return <span class="muted">{t("allModels")}</span>;
	return (
		<>
			{k.operator_limits.models && <Lock />}
			<ModelList models={k.models} more={(n) => `+${fmt.int(n)}`} />
		</>
	);
}

function Expiry({ token: k }: { token: Token }) {
	if (!k.expires_at) return <span class="muted">{t("never")}</span>;
	return (
		<>
			{k.operator_limits.expires_at && <Lock />}
			{fmt.time(k.expires_at)}
		</>
	);
}

export function KeyTable({
	keys,
	admin,
	userName,
	busy,
	onView,
	onEdit,
	onToggle,
	onRotate,
	onRevoke,
}: {
	keys: Token[];
	admin: boolean;
	userName: (id: number) => string;
	busy: number | null;
	onView: (k: Token) => void;
	onEdit: (k: Token) => void;
	onToggle: (k: Token) => void;
	onRotate: (k: Token) => void;
	onRevoke: (k: Token) => void;
}) {
	return (
		<DataTable
			rows={keys}
			rowKey={(k) => k.id}
			rowTestId={(k) => `key-row-${k.id}`}
			empty={t("none")}
			columns={[
				{ id: "name", head: t("colName"), cell: (k) => <Name token={k} /> },
				{ id: "key", head: t("colKey"), cell: (k) => <Prefixes token={k} busy={busy === k.id} onRotate={onRotate} /> },
				{ id: "status", head: t("colStatus"), cell: (k) => <Status token={k} /> },
				admin && { id: "owner", head: t("colOwner"), cell: (k) => userName(k.user_id) },
				{ id: "models", head: t("colModels"), class: "wrap", style: { minWidth: "10rem" }, cell: (k) => <Models token={k} /> },
				{ id: "limits", head: t("colLimits"), class: "wrap", cell: (k) => <LimitSummary token={k} /> },
				{ id: "spent", head: t("colSpent"), num: true, cell: (k) => fmt.usd(k.spent_usd) },
				{ id: "expires", head: t("colExpires"), class: "wrap", cell: (k) => <Expiry token={k} /> },
				{
					id: "used",
					head: t("colLastUsed"),
					class: "wrap",
					cell: (k) => <Used token={k} />,
				},
				{
					id: "actions",
					head: t("colActions"),
					cell: (k) => (
						<div class="actions">
							<button type="button" class="secondary" data-testid={`key-usage-${k.id}`} onClick={() => onView(k)}>
								{t("usage")}
							</button>
							<button type="button" class="secondary" data-testid={`key-edit-${k.id}`} onClick={() => onEdit(k)}>
								{t("edit")}
							</button>
							<button type="button" class="secondary" data-testid={`key-toggle-${k.id}`} disabled={busy === k.id} onClick={() => onToggle(k)}>
								{k.status === "active" ? t("disable") : k.status === "locked" ? t("unlock") : t("enable")}
							</button>
							<button type="button" class="danger" data-testid={`key-revoke-${k.id}`} disabled={busy === k.id} onClick={() => onRevoke(k)}>
								{t("revoke")}
							</button>
						</div>
					),
				},
			]}
		/>
	);
}
