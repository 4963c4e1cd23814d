/** The dialog that creates a key or edits one: name, models, expiry, memory, owner and limits, the operator's marked. */

import { useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import type { OperatorLimits, Token, User } from "../../components/api-types";
import { Field } from "../../components/field";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import { type FormState, initialForm, requestBody } from "./form-state";
import { boundNote, LIMIT_FIELDS } from "./limit-fields";
import { OperatorNote } from "./operator-note";
import { t } from "./strings";

/** A key as created: the only time its secret is shown. */
export interface CreatedToken extends Token {
	key: string;
}

/** Why the last save failed, and the field the API named, if any (e.g. a bound of the operator's the user tried to loosen). */
interface Failure {
	text: string;
	param: string | null;
}

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
	const [form, setForm] = useState<FormState>(() => initialForm(token));
	const [saving, setSaving] = useState(false);
	const [failure, setFailure] = useState<Failure | null>(null);
	const bounds: OperatorLimits = token?.operator_limits ?? {};

	const set = (field: keyof FormState) => (e: Event) => {
		const value = (e.currentTarget as HTMLInputElement).value;
		setForm((f) => ({ ...f, [field]: value }));
	};
	/** The API refused this field: the input is marked beside the message. */
	const refused = (field: string) => (failure?.param === field ? true : undefined);

	const submit = async () => {
		setFailure(null);
		setSaving(true);
		try {
			const body = requestBody(form, token, admin);
			if (token && Object.keys(body).length === 0) onSaved(token);
			else onSaved(token ? await api<Token>("PATCH", `/api/tokens/${token.id}`, body) : await api<CreatedToken>("POST", "/api/tokens", body));
		} catch (err) {
			setFailure({ text: messageOf(err), param: err instanceof ApiError ? err.param : null });
		} finally {
			setSaving(false);
		}
	};

	return (
		<FormDialog
			testid="key-form"
			title={token ? t("formEdit", { name: token.name }) : t("formNew")}
			submitLabel={token ? t("save") : t("create")}
			submitTestId="key-save"
			busy={saving}
			error={failure?.text ?? null}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<div class="form-grid">
				<Field label={t("name")}>
					<input name="name" value={form.name} onInput={set("name")} required maxLength={100} autoComplete="off" aria-invalid={refused("name")} />
				</Field>
				<Field label={t("expiresAt")} hint={t("expiresHint")}>
					<input name="expires_at" type="datetime-local" value={form.expires_at} onInput={set("expires_at")} aria-invalid={refused("expires_at")} />
					<OperatorNote note={boundNote(bounds, "expires_at")} field="expires_at" />
				</Field>
			</div>
			<Field label={t("models")} hint={t("modelsHint")}>
				<input
					name="models"
					value={form.models}
					onInput={set("models")}
					placeholder="gpt-4o-mini, mock-chat"
					autoComplete="off"
					aria-invalid={refused("models")}
				/>
				<OperatorNote note={boundNote(bounds, "models")} field="models" />
			</Field>
			<Field label={t("memoryMode")} hint={t("memoryHint")}>
				<select name="memory_mode" value={form.memory_mode} onChange={set("memory_mode")} data-testid="key-memory-mode">
					<option value="off">{t("memoryOff")}</option>
					<option value="read">{t("memoryRead")}</option>
					<option value="read_write">{t("memoryReadWrite")}</option>
				</select>
			</Field>
			<Field label={t("streamContinuation")} hint={t("streamContinuationHint")}>
				<select name="stream_continuation" value={form.stream_continuation} onChange={set("stream_continuation")} data-testid="key-stream-continuation">
					<option value="on">{t("streamContinue")}</option>
					<option value="off">{t("streamEnd")}</option>
				</select>
			</Field>
			<div class="form-grid">
				<Field label={t("cacheMode")} hint={t("cacheHint")}>
					<select name="cache_mode" value={form.cache_mode} onChange={set("cache_mode")} data-testid="key-cache-mode" aria-invalid={refused("cache")}>
						<option value="off">{t("cacheOff")}</option>
						<option value="exact">{t("cacheExact")}</option>
						<option value="semantic">{t("cacheSemantic")}</option>
					</select>
				</Field>
				{form.cache_mode !== "off" && (
					<Field label={t("cacheTtl")}>
						<input
							name="cache_ttl"
							type="number"
							min="1"
							step="1"
							value={form.cache_ttl}
							onInput={set("cache_ttl")}
							data-testid="key-cache-ttl"
							aria-invalid={refused("cache.ttl_seconds")}
						/>
					</Field>
				)}
				{form.cache_mode === "semantic" && (
					<Field label={t("cacheThreshold")} hint={t("cacheThresholdHint")}>
						<input
							name="cache_threshold"
							type="number"
							min="0.5"
							max="1"
							step="0.01"
							value={form.cache_threshold}
							onInput={set("cache_threshold")}
							data-testid="key-cache-threshold"
							aria-invalid={refused("cache.threshold")}
						/>
					</Field>
				)}
			</div>
			<div class="form-grid">
				<Field label={t("scopes")} hint={t("scopesHint")}>
					<input name="scopes" value={form.scopes} onInput={set("scopes")} placeholder="relay, usage" autoComplete="off" aria-invalid={refused("scopes")} />
				</Field>
				<Field label={t("tags")} hint={t("tagsHint")}>
					<input name="tags" value={form.tags} onInput={set("tags")} placeholder="prod, billing-team" autoComplete="off" aria-invalid={refused("tags")} />
				</Field>
				<Field label={t("ipAllow")} hint={t("ipAllowHint")}>
					<input
						name="ip_allow"
						value={form.ip_allow}
						onInput={set("ip_allow")}
						placeholder="203.0.113.0/24, 2001:db8::/32"
						autoComplete="off"
						aria-invalid={refused("ip_allow")}
					/>
				</Field>
				<Field label={t("autoRotate")}>
					<select name="auto_rotate" value={form.auto_rotate} onChange={set("auto_rotate")} data-testid="key-auto-rotate">
						<option value="off">{t("autoRotateOff")}</option>
						<option value="on">{t("autoRotateOn")}</option>
					</select>
				</Field>
			</div>
			{admin && !token && <OwnerField value={form.user_id} onInput={set("user_id")} users={users} />}
			<fieldset class="stack" style={{ border: "1px solid var(--border)", borderRadius: "var(--radius)", margin: 0 }}>
				<legend>
					{t("limitsTitle")} <span class="muted">— {t("limitsHint")}</span>
				</legend>
				{Object.keys(bounds).length > 0 && <small class="muted">{admin ? t("boundsAdmin") : t("boundsUser")}</small>}
				<div class="form-grid">
					{LIMIT_FIELDS.map((f) => (
						<Field key={f.name} label={t(f.label)}>
							<input
								name={f.name}
								type="number"
								inputMode="decimal"
								step={f.usd ? "0.01" : "1"}
								min={f.usd ? "0" : "1"}
								max={admin ? undefined : bounds[f.name]}
								value={form[f.name]}
								onInput={set(f.name)}
								aria-invalid={refused(f.name)}
							/>
							<OperatorNote note={boundNote(bounds, f.name)} field={f.name} />
						</Field>
					))}
				</div>
			</fieldset>
		</FormDialog>
	);
}

/** Whose the new key is: a user picked by name and email, or (the first choice, as an empty field was) the admin user. */
function OwnerField({ value, onInput, users }: { value: string; onInput: (e: Event) => void; users: User[] }) {
	return (
		<Field label={t("owner")}>
			<select name="user_id" value={value} onChange={onInput} data-testid="key-owner">
				<option value="">{t("ownerOperator")}</option>
				{users.map((u) => (
					<option key={u.id} value={String(u.id)}>
						{u.email && u.email !== u.name ? `${u.name} · ${u.email}` : u.name} (#{u.id})
					</option>
				))}
			</select>
		</Field>
	);
}
