/** A form to add one memory to an entity, stored as written: a way to try search and chat memory by hand. */

import { useState } from "preact/hooks";
import { Alert } from "../../components/async";
import { messageOf } from "../../components/format";
import type { EntityType, MemoryApi } from "./api";
import { entityKey, typeName } from "./entities";
import { t } from "./strings";

const TYPES: EntityType[] = ["user", "agent", "app", "run"];

export function AddMemory({ api, onAdded }: { api: MemoryApi; onAdded: (entityKey: string) => void }) {
	const [type, setType] = useState<EntityType>("user");
	const [id, setId] = useState("");
	const [text, setText] = useState("");
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async (e: Event) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			await api.add(type, id.trim(), text.trim());
			setText("");
			onAdded(entityKey({ type, id: id.trim() }));
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};
	return (
		<form class="card stack" onSubmit={(e) => void submit(e)} aria-label={t("newMemory")}>
			<h2 style={{ margin: 0 }}>{t("newMemory")}</h2>
			<div class="row" style={{ alignItems: "flex-end" }}>
				<label style={{ flex: "0 1 9rem" }}>
					{t("entityType")}
					<select name="entity-type" data-testid="mem-add-type" value={type} onChange={(e) => setType(e.currentTarget.value as EntityType)}>
						{TYPES.map((ty) => (
							<option key={ty} value={ty}>
								{typeName(ty)}
							</option>
						))}
					</select>
				</label>
				<label style={{ flex: "1 1 10rem" }}>
					{t("entityId")}
					<input
						name="entity-id"
						data-testid="mem-add-entity"
						value={id}
						placeholder={t("entityIdPlaceholder")}
						maxLength={256}
						onInput={(e) => setId(e.currentTarget.value)}
					/>
				</label>
				<label style={{ flex: "3 1 20rem" }}>
					{t("memoryText")}
					<input
						name="memory"
						data-testid="mem-add-text"
						value={text}
						placeholder={t("memoryTextPlaceholder")}
						onInput={(e) => setText(e.currentTarget.value)}
					/>
				</label>
				<button type="submit" data-testid="mem-add" disabled={busy || id.trim() === "" || text.trim() === ""}>
					{busy ? t("adding") : t("add")}
				</button>
			</div>
			<small class="muted">{t("addHint")}</small>
			{error && <Alert testid="mem-add-error">{error}</Alert>}
		</form>
	);
}
