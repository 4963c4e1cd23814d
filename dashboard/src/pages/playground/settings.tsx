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
	onModel,
	system,
	onSystem,
}: {
	keys: Token[];
	hidden: number;
	models: string[];
	tokenId: string;
	onTokenId: (id: string) => void;
	model: string;
	onModel: (model: string) => void;
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
				<label>
					{t("model")}
					<input
						data-testid="pg-model"
						name="model"
						list="pg-models"
						value={model}
						onInput={(e) => onModel(e.currentTarget.value)}
						autoComplete="off"
						spellcheck={false}
					/>
					<datalist id="pg-models">
						{models.map((m) => (
							<option key={m} value={m} />
						))}
					</datalist>
				</label>
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
