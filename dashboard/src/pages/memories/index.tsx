/** The Memories page: the entities the signed-in user's memories are about, each one's memories, searched and edited. */

import { useMemo, useState } from "preact/hooks";
import type { Token } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import { OwnKeys } from "../../components/own-keys";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { AddMemory } from "./add";
import { type Entity, memoryApi } from "./api";
import { EntityTable, entityKey, typeName } from "./entities";
import { EntityDetail } from "./entity-detail";
import { t } from "./strings";

export function MemoriesPage() {
	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")} />
			<OwnKeys
				empty={
					<>
						{t("noKeys")} <a href="/keys">{t("createKey")}</a>
					</>
				}
			>
				{(keys, hidden) => <Memories keys={keys} hidden={hidden} />}
			</OwnKeys>
		</div>
	);
}

function Memories({ keys, hidden }: { keys: Token[]; hidden: number }) {
	const [keyId, setKeyId] = useState(String(keys[0]?.id ?? ""));
	const api = useMemo(() => memoryApi(keyId), [keyId]);
	const entities = useLoad(() => api.entities(), [api]);
	const [openKey, setOpenKey] = useState<string | undefined>(undefined);
	const [busy, setBusy] = useState<string | null>(null);
	const [error, setError] = useState<string | null>(null);
	// Bumped after every change, so that the open entity's memories are read again with the entity list.
	const [version, setVersion] = useState(0);
	const open = entities.data?.find((e) => entityKey(e) === openKey) ?? entities.data?.[0];
	const changed = () => {
		setVersion((v) => v + 1);
		entities.reload();
	};

	const removeAll = async (e: Entity) => {
		if (!window.confirm(t("confirmDeleteAll", { type: typeName(e.type), id: e.id }))) return;
		setBusy(entityKey(e));
		setError(null);
		try {
			await api.removeAll(e);
			changed();
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(null);
		}
	};

	return (
		<>
			<div class="card form-grid">
				<label>
					{t("key")}
					<select data-testid="mem-key" name="key" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
						{keys.map((k) => (
							<option key={k.id} value={String(k.id)}>
								{k.name} ({k.key_prefix})
							</option>
						))}
					</select>
					<small class="muted">{hidden > 0 ? `${t("keyHint")} ${t("disabledHidden", { n: fmt.int(hidden) })}` : t("keyHint")}</small>
				</label>
			</div>
			<AddMemory
				api={api}
				onAdded={(key) => {
					setOpenKey(key);
					changed();
				}}
			/>
			<div class="row spread">
				<h2 style={{ margin: 0 }}>{t("entities")}</h2>
				<button type="button" class="secondary" data-testid="mem-refresh" onClick={changed} disabled={entities.loading}>
					{t("refresh")}
				</button>
			</div>
			{error && <Alert testid="mem-entity-error">{error}</Alert>}
			<Async load={entities}>
				{(all) => (
					<>
						<EntityTable
							entities={all}
							openKey={open && entityKey(open)}
							busy={busy}
							onOpen={(e) => setOpenKey(entityKey(e))}
							onDeleteAll={(e) => void removeAll(e)}
						/>
						{open && <EntityDetail key={`${keyId}-${entityKey(open)}`} api={api} entity={open} version={version} onChanged={changed} />}
					</>
				)}
			</Async>
		</>
	);
}
