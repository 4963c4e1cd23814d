/** The dialog that creates a channel or edits one: type, base URL, key, models, priority, weight and groups. */

import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import type { Channel } from "../../components/api-types";
import { Field } from "../../components/field";
import { FormDialog } from "../../components/form-dialog";
import { messageOf, splitList } from "../../components/format";
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

/** What the form sends: the key only when one was typed (empty keeps the stored one). */
function requestBody(form: FormState, editing: boolean): Record<string, unknown> {
	const groups = splitList(form.groups);
	return {
		name: form.name.trim(),
		type: form.type,
		base_url: form.base_url.trim() || null,
		models: splitList(form.models),
		priority: intOrUndefined(form.priority),
		weight: intOrUndefined(form.weight),
		groups: groups.length > 0 ? groups : editing ? ["default"] : undefined,
		...(form.key ? { key: form.key } : {}),
	};
}

export function ChannelDialog({
	channel,
	types,
	typesError,
	unpriced,
	onClose,
	onSaved,
}: {
	channel: Channel | null;
	types: ChannelType[] | null;
	typesError: string | null;
	/** Which of these models have no price on this channel. */
	unpriced: (models: string[]) => string[];
	onClose: () => void;
	onSaved: (c: Channel) => void;
}) {
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

	const submit = async () => {
		setSaving(true);
		setError(null);
		try {
			const body = requestBody(form, channel !== null);
			const saved = channel ? await api<Channel>("PATCH", `/api/channels/${channel.id}`, body) : await api<Channel>("POST", "/api/channels", body);
			onSaved(saved);
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setSaving(false);
		}
	};

	const preset = types?.find((x) => x.type === form.type);
	const missing = unpriced(splitList(form.models));
	const typeOptions = types ?? (form.type ? [{ type: form.type, wire: "openai", operations: [], default_base_url: null } satisfies ChannelType] : []);

	return (
		<FormDialog
			testid="channel-form"
			title={channel ? t("formEdit", { name: channel.name }) : t("formNew")}
			submitLabel={t("save")}
			submitTestId="channel-save"
			busy={saving}
			canSubmit={form.type !== ""}
			error={error ?? typesError}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<div class="form-grid">
				<Field label={t("name")}>
					<input name="name" value={form.name} onInput={set("name")} required maxLength={100} autoComplete="off" />
				</Field>
				<Field label={t("type")} hint={preset && t("typeHint", { wire: preset.wire, ops: preset.operations.join(", ") })}>
					<select name="type" value={form.type} onChange={chooseType} required>
						{!types && !form.type && <option value="">{typesError ?? t("typesLoading")}</option>}
						{typeOptions.map((x) => (
							<option key={x.type} value={x.type}>
								{x.type}
							</option>
						))}
					</select>
				</Field>
			</div>
			<Field label={t("baseUrl")} hint={t("baseUrlHint")}>
				<input
					name="base_url"
					type="url"
					inputMode="url"
					value={form.base_url}
					onInput={set("base_url")}
					placeholder={preset?.default_base_url ?? "https://…"}
					autoComplete="off"
				/>
			</Field>
			<Field label={t("key")} hint={channel ? (channel.key_masked ? t("keyKeep", { masked: channel.key_masked }) : t("keyKeepNone")) : t("keyNew")}>
				<input
					name="key"
					type="password"
					value={form.key}
					onInput={set("key")}
					autoComplete="new-password"
					placeholder={channel?.key_masked ?? ""}
					maxLength={4096}
				/>
			</Field>
			<Field
				label={t("models")}
				hint={
					<>
						{t("modelsHint")}
						{missing.length > 0 && (
							<span class="operator-note" data-testid="channel-form-unpriced">
								{" · "}
								{t("unpricedHint", { models: missing.join(", ") })} <a href="/billing">{t("setPrices")}</a>
							</span>
						)}
					</>
				}
			>
				<input name="models" value={form.models} onInput={set("models")} required placeholder="gpt-4o-mini, gpt-4o" autoComplete="off" />
			</Field>
			<div class="form-grid">
				<Field label={t("priority")} hint={t("priorityHint")}>
					<input name="priority" type="number" step={1} min={-1000} max={1000} value={form.priority} onInput={set("priority")} />
				</Field>
				<Field label={t("weight")} hint={t("weightHint")}>
					<input name="weight" type="number" step={1} min={0} max={10000} value={form.weight} onInput={set("weight")} />
				</Field>
			</div>
			<Field label={t("groups")} hint={t("groupsHint")}>
				<input name="groups" value={form.groups} onInput={set("groups")} autoComplete="off" />
			</Field>
		</FormDialog>
	);
}
