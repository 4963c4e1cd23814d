/** The user's vector stores: a table to open or delete one, and a form to create one. */

import { useState } from "preact/hooks";
import { Alert } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { messageOf } from "../../components/format";
import { fmt } from "../../i18n";
import type { KnowledgeApi, VectorStore } from "./api";
import { bytes, fromSeconds } from "./format";
import { t } from "./strings";

export const storeName = (s: VectorStore) => s.name || t("unnamed");

function Counts({ store: s }: { store: VectorStore }) {
	const c = s.file_counts;
	return (
		<>
			{t("filesCount", { done: fmt.int(c.completed), total: fmt.int(c.total) })}
			{c.failed > 0 && (
				<>
					{" · "}
					<span class="badge error">{t("filesFailed", { n: fmt.int(c.failed) })}</span>
				</>
			)}
		</>
	);
}

export function StoreTable({
	stores,
	openId,
	busy,
	onOpen,
	onDelete,
}: {
	stores: VectorStore[];
	openId: string | undefined;
	busy: string | null;
	onOpen: (s: VectorStore) => void;
	onDelete: (s: VectorStore) => void;
}) {
	return (
		<DataTable
			testid="kn-stores"
			rows={stores}
			rowKey={(s) => s.id}
			rowTestId={(s) => `kn-store-${s.id}`}
			empty={t("noStores")}
			columns={[
				{ id: "name", head: t("colName"), cell: (s) => <strong>{storeName(s)}</strong> },
				{ id: "files", head: t("colFiles"), cell: (s) => <Counts store={s} /> },
				{ id: "size", head: t("colSize"), num: true, cell: (s) => bytes(s.usage_bytes) },
				{ id: "status", head: t("colStatus"), cell: (s) => <span class={`badge ${s.status === "completed" ? "ok" : "warn"}`}>{t(`store_${s.status}`)}</span> },
				{ id: "model", head: t("colModel"), class: "mono", cell: (s) => s.embedding_model },
				{ id: "created", head: t("colCreated"), cell: (s) => fmt.time(fromSeconds(s.created_at)) },
				{
					id: "actions",
					head: t("colActions"),
					cell: (s) => (
						<div class="actions">
							<button
								type="button"
								class="secondary"
								data-testid={`kn-store-open-${s.id}`}
								aria-pressed={s.id === openId}
								disabled={s.id === openId}
								onClick={() => onOpen(s)}
							>
								{s.id === openId ? t("opened") : t("open")}
							</button>
							<button type="button" class="danger" data-testid={`kn-store-delete-${s.id}`} disabled={busy === s.id} onClick={() => onDelete(s)}>
								{t("delete")}
							</button>
						</div>
					),
				},
			]}
		/>
	);
}

export function NewStore({ api, onCreated }: { api: KnowledgeApi; onCreated: (s: VectorStore) => void }) {
	const [name, setName] = useState("");
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async (e: Event) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			const store = await api.createStore(name.trim());
			setName("");
			onCreated(store);
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};
	return (
		<form class="card stack" onSubmit={(e) => void submit(e)} aria-label={t("newStore")}>
			<div class="row" style={{ alignItems: "flex-end" }}>
				<label style={{ flex: "1 1 16rem" }}>
					{t("storeName")}
					<input
						name="store-name"
						data-testid="kn-store-name"
						value={name}
						placeholder={t("storeNamePlaceholder")}
						maxLength={256}
						onInput={(e) => setName(e.currentTarget.value)}
					/>
				</label>
				<button type="submit" data-testid="kn-store-create" disabled={busy || name.trim() === ""}>
					{busy ? t("creating") : t("create")}
				</button>
			</div>
			{error && <Alert testid="kn-store-error">{error}</Alert>}
		</form>
	);
}
