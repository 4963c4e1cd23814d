/** The dialog that creates an app or edits one: model and prompts, the stores it retrieves from, and its memory. */

import { useState } from "preact/hooks";
import type { App } from "../../components/api-types";
import { Field } from "../../components/field";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import type { VectorStore } from "../knowledge/api";
import { type AppInput, appsApi } from "./api";
import { t } from "./strings";

interface Form {
	name: string;
	model: string;
	description: string;
	system_prompt: string;
	opening_statement: string;
	/** One question a line. */
	questions: string;
	stores: string[];
	topK: string;
	/** Blank: no threshold. */
	threshold: string;
	memory: App["memory_mode"];
}

const initial = (app: App | null): Form => ({
	name: app?.name ?? "",
	model: app?.model ?? "",
	description: app?.description ?? "",
	system_prompt: app?.system_prompt ?? "",
	opening_statement: app?.opening_statement ?? "",
	questions: app?.suggested_questions.join("\n") ?? "",
	stores: app?.vector_store_ids ?? [],
	topK: String(app?.retrieval_top_k ?? 4),
	threshold: app?.score_threshold === null || app?.score_threshold === undefined ? "" : String(app.score_threshold),
	memory: app?.memory_mode ?? "off",
});

function inputOf(f: Form): AppInput {
	return {
		name: f.name.trim(),
		model: f.model.trim(),
		description: f.description,
		system_prompt: f.system_prompt,
		opening_statement: f.opening_statement,
		suggested_questions: f.questions
			.split("\n")
			.map((q) => q.trim())
			.filter(Boolean),
		vector_store_ids: f.stores,
		retrieval_top_k: Number(f.topK),
		score_threshold: f.threshold.trim() === "" ? null : Number(f.threshold),
		memory_mode: f.memory,
	};
}

export function AppDialog({
	app,
	stores,
	onSaved,
	onClose,
}: {
	app: App | null;
	/** The user's vector stores to pick from; undefined when they cannot be listed (no key to list them with). */
	stores: VectorStore[] | undefined;
	onSaved: (app: App) => void;
	onClose: () => void;
}) {
	const [form, setForm] = useState(() => initial(app));
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const set =
		<K extends keyof Form>(field: K) =>
		(value: Form[K]) =>
			setForm((f) => ({ ...f, [field]: value }));
	const text = (field: "name" | "model" | "description" | "system_prompt" | "opening_statement" | "questions" | "topK" | "threshold") => ({
		value: form[field],
		onInput: (e: Event) => set(field)((e.currentTarget as HTMLInputElement).value),
	});
	const toggleStore = (id: string, on: boolean) => set("stores")(on ? [...form.stores, id] : form.stores.filter((s) => s !== id));

	const submit = async () => {
		setBusy(true);
		setError(null);
		try {
			onSaved(app ? await appsApi.update(app.id, inputOf(form)) : await appsApi.create(inputOf(form)));
		} catch (err) {
			setError(messageOf(err));
			setBusy(false);
		}
	};

	return (
		<FormDialog
			testid="app-dialog"
			title={app ? t("editTitle", { name: app.name }) : t("createTitle")}
			submitLabel={app ? t("save") : t("create")}
			submitTestId="app-save"
			busy={busy}
			canSubmit={form.name.trim() !== "" && form.model.trim() !== ""}
			error={error}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<div class="form-grid">
				<Field label={t("name")}>
					<input data-testid="app-name" maxLength={100} {...text("name")} />
				</Field>
				<Field label={t("model")} hint={t("modelHint")}>
					<input data-testid="app-model" maxLength={200} spellcheck={false} {...text("model")} />
				</Field>
			</div>
			<Field label={t("description")}>
				<input data-testid="app-description" {...text("description")} />
			</Field>
			<Field label={t("systemPrompt")} hint={t("systemPromptHint")}>
				<textarea data-testid="app-system" rows={3} {...text("system_prompt")} />
			</Field>
			<Field label={t("opening")}>
				<textarea data-testid="app-opening" rows={2} {...text("opening_statement")} />
			</Field>
			<Field label={t("questions")} hint={t("questionsHint")}>
				<textarea data-testid="app-questions" rows={3} {...text("questions")} />
			</Field>
			<fieldset class="stack" data-testid="app-stores">
				<legend>{t("stores")}</legend>
				{stores === undefined || stores.length === 0 ? (
					<small class="muted">{t("noStores")}</small>
				) : (
					stores.map((s) => (
						<label class="inline" key={s.id}>
							<input type="checkbox" checked={form.stores.includes(s.id)} onChange={(e) => toggleStore(s.id, e.currentTarget.checked)} />
							{s.name} <span class="muted mono">{s.id}</span>
						</label>
					))
				)}
			</fieldset>
			<div class="form-grid">
				<Field label={t("topK")}>
					<input data-testid="app-top-k" type="number" min={1} max={20} {...text("topK")} />
				</Field>
				<Field label={t("threshold")} hint={t("thresholdHint")}>
					<input data-testid="app-threshold" type="number" min={0} max={1} step={0.05} {...text("threshold")} />
				</Field>
				<Field label={t("memory")}>
					<select data-testid="app-memory" value={form.memory} onChange={(e) => set("memory")(e.currentTarget.value as App["memory_mode"])}>
						<option value="off">{t("memoryOff")}</option>
						<option value="read">{t("memoryRead")}</option>
						<option value="read_write">{t("memoryReadWrite")}</option>
					</select>
				</Field>
			</div>
		</FormDialog>
	);
}
