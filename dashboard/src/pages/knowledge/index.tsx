/** The Knowledge page: the signed-in user's vector stores and their files, ingested live, and searched. */

import { useMemo, useState } from "preact/hooks";
import { get } from "../../api";
import type { Token } from "../../components/api-types";
import { Alert, Async, Empty, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { session } from "../../session";
import { knowledgeApi, type VectorStore } from "./api";
import { StoreDetail } from "./store-detail";
import { NewStore, StoreTable, storeName } from "./stores";
import { t } from "./strings";

/**
 * The user the operator's own session stands for (the admin user, which the gateway's bootstrap creates): files and
 * stores belong to a user, and the gateway lets a session act only as its own user's keys (src/auth/policy.ts).
 */
const ADMIN_USER_ID = 1;

const usable = (k: Token) => k.status === "active" && (k.expires_at === null || Date.parse(k.expires_at) > Date.now());

export function KnowledgePage() {
	const owner = session.value?.userId ?? ADMIN_USER_ID;
	const tokens = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data.filter((k) => k.user_id === owner)), [owner]);
	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")} />
			<Async load={tokens}>
				{(own) => {
					const keys = own.filter(usable);
					if (keys.length === 0) {
						return (
							<Empty>
								{t("noKeys")} <a href="/keys">{t("createKey")}</a>
							</Empty>
						);
					}
					return <Knowledge keys={keys} hidden={own.length - keys.length} />;
				}}
			</Async>
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
