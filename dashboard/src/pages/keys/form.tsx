/** The dialog that creates a key or edits one: name, models, expiry, owner and limits. */

import { useState } from "preact/hooks";
import { api } from "../../api";
import type { Limits, Token, User } from "../../components/api-types";
import { splitList } from "../../components/format";
import { useModal } from "../../components/hooks";
import { t } from "./strings";

/** A key as created: the only time its secret is shown. */
export interface CreatedToken extends Token {
	key: string;
}

const LIMIT_FIELDS = [
	{ name: "rpm", label: "fRpm", step: "1", min: "1" },
	{ name: "tpm", label: "fTpm", step: "1", min: "1" },
	{ name: "max_concurrency", label: "fConcurrency", step: "1", min: "1" },
	{ name: "budget_daily_usd", label: "fDaily", step: "0.01", min: "0" },
	{ name: "budget_monthly_usd", label: "fMonthly", step: "0.01", min: "0" },
	{ name: "quota_usd", label: "fQuota", step: "0.01", min: "0" },
] as const satisfies readonly { name: keyof Limits; label: string; step: string; min: string }[];

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

export function KeyDialog({
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
	const ref = useModal();
	const [form, setForm] = useState<FormState>(() => initialForm(token));
	const [saving, setSaving] = useState(false);
	const [error, setError] = useState<string | null>(null);

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
		const models = splitList(form.models);
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
