/** The dialog that creates a channel or edits one: type, base URL, key, models, priority, weight and groups. */

import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import type { Channel } from "../../components/api-types";
import { splitList } from "../../components/format";
import { useModal } from "../../components/hooks";
import { t } from "./strings";

export interface ChannelType {
	type: string;
	wire: "openai" | "anthropic" | "gemini";
	operations: string[];
	default_base_url: string | null;
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

export function ChannelDialog({
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
	const ref = useModal();
	const [form, setForm] = useState<FormState>(() => initialForm(channel));
	const [saving, setSaving] = useState(false);
	const [error, setError] = useState<string | null>(null);

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
