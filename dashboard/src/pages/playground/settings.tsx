/** The playground's settings: which key to call as, which model, and the system prompt. */

import type { Token } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

export function Settings({
	keys,
	hidden,
	models,
	tokenId,
	onTokenId,
	model,
	typed,
	onModel,
	system,
	onSystem,
}: {
	keys: Token[];
	hidden: number;
	models: string[] | undefined;
	tokenId: string;
	onTokenId: (id: string) => void;
	model: string;
	typed: boolean;
	onModel: (model: string, typed: boolean) => void;
	system: string;
	onSystem: (system: string) => void;
}) {
	return (
		<div class="card stack">
			<div class="form-grid">
				<label>
					{t("key")}
					<select data-testid="pg-key" name="key" value={tokenId} onChange={(e) => onTokenId(e.currentTarget.value)}>
						{keys.map((k) => (
							<option key={k.id} value={String(k.id)}>
								{k.name} ({k.key_prefix})
							</option>
						))}
					</select>
					{hidden > 0 && <small class="muted">{t("disabledHidden", { n: fmt.int(hidden) })}</small>}
				</label>
				<ModelField models={models} model={model} typed={typed} onModel={onModel} />
			</div>
			<label>
				{t("system")}
				<textarea
					name="system"
					rows={2}
					style={{ minHeight: "2.5rem" }}
					value={system}
					placeholder={t("systemPlaceholder")}
					onInput={(e) => onSystem(e.currentTarget.value)}
				/>
			</label>
		</div>
	);
}

/** The select's choice that opens the text field: a model the key's list does not name may still be typed. */
const OTHER = "\u0000other";

/** The key's models to pick from (undefined while they load), or any model's name typed in. */
function ModelField({
	models,
	model,
	typed,
	onModel,
}: {
	models: string[] | undefined;
	model: string;
	typed: boolean;
	onModel: (model: string, typed: boolean) => void;
}) {
	const typing = typed || models?.length === 0;
	return (
		<label>
			{t("model")}
			<select
				data-testid="pg-model"
				value={typing ? OTHER : model}
				disabled={models === undefined}
				onChange={(e) => {
					const v = e.currentTarget.value;
					if (v === OTHER) onModel(model, true);
					else onModel(v, false);
				}}
			>
				{models?.map((m) => (
					<option key={m} value={m}>
						{m}
					</option>
				))}
				<option value={OTHER}>{t("otherModel")}</option>
			</select>
			{typing && (
				<input
					data-testid="pg-model-typed"
					name="model"
					aria-label={t("modelTyped")}
					placeholder={t("modelTyped")}
					value={model}
					onInput={(e) => onModel(e.currentTarget.value, true)}
					autoComplete="off"
					spellcheck={false}
				/>
			)}
			{models?.length === 0 && <small class="muted">{t("noKeyModels")}</small>}
		</label>
	);
}
