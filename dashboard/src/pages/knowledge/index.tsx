/** The Knowledge page: the signed-in user's vector stores and their files, ingested live, and searched. */

import { useMemo, useState } from "preact/hooks";
import type { Token } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import { OwnKeys } from "../../components/own-keys";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { knowledgeApi, type VectorStore } from "./api";
import { StoreDetail } from "./store-detail";
import { NewStore, StoreTable, storeName } from "./stores";
import { t } from "./strings";

export function KnowledgePage() {
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
				{(keys, hidden) => <Knowledge keys={keys} hidden={hidden} />}
			</OwnKeys>
		</div>
	);
}

function Knowledge({ keys, hidden }: { keys: Token[]; hidden: number }) {
	const [keyId, setKeyId] = useState(String(keys[0]?.id ?? ""));
	const api = useMemo(() => knowledgeApi(keyId), [keyId]);
	const stores = useLoad(() => api.stores(), [api]);
	const [openId, setOpenId] = useState<string | undefined>(undefined);
	const [busy, setBusy] = useState<string | null>(null);
	const [error, setError] = useState<string | null>(null);
	// Deleted stores leave at once, before the list is read again: an open one would otherwise poll a store that is gone.
	const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
	const shown = stores.data?.filter((s) => !gone.has(s.id));
	const open = shown?.find((s) => s.id === openId) ?? shown?.[0];

	const remove = async (s: VectorStore) => {
		if (!window.confirm(t("confirmDeleteStore", { name: storeName(s) }))) return;
		setBusy(s.id);
		setError(null);
		try {
			await api.deleteStore(s.id);
			setGone((g) => new Set([...g, s.id]));
			stores.reload();
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
					<select data-testid="kn-key" name="key" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
						{keys.map((k) => (
							<option key={k.id} value={String(k.id)}>
								{k.name} ({k.key_prefix})
							</option>
						))}
					</select>
					<small class="muted">{hidden > 0 ? `${t("keyHint")} ${t("disabledHidden", { n: fmt.int(hidden) })}` : t("keyHint")}</small>
				</label>
			</div>
			<NewStore
				api={api}
				onCreated={(s) => {
					setOpenId(s.id);
					stores.reload();
				}}
			/>
			<div class="row spread">
				<h2 style={{ margin: 0 }}>{t("stores")}</h2>
				<button type="button" class="secondary" data-testid="kn-refresh" onClick={stores.reload} disabled={stores.loading}>
					{t("refresh")}
				</button>
			</div>
			{error && <Alert testid="kn-store-delete-error">{error}</Alert>}
			<Async load={stores}>
				{(all) => (
					<>
						<StoreTable
							stores={all.filter((s) => !gone.has(s.id))}
							openId={open?.id}
							busy={busy}
							onOpen={(s) => setOpenId(s.id)}
							onDelete={(s) => void remove(s)}
						/>
						{open && <StoreDetail key={`${keyId}-${open.id}`} api={api} store={open} onChanged={stores.reload} />}
					</>
				)}
			</Async>
		</>
	);
}
