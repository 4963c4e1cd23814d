/** One open store: drop documents into it, watch its files being ingested, edit their attributes, and search it. */

import { useState } from "preact/hooks";
import { Alert, ErrorBox, Loading, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import type { KnowledgeApi, StoreFile, VectorStore } from "./api";
import { AttributesDialog } from "./attributes";
import { FileTable } from "./files";
import { useLiveFiles } from "./poll";
import { StoreSearch } from "./search";
import { storeName } from "./stores";
import { t } from "./strings";
import { UploadZone } from "./upload";

export function StoreDetail({ api, store, onChanged }: { api: KnowledgeApi; store: VectorStore; onChanged: () => void }) {
	const live = useLiveFiles(api, store.id, onChanged);
	const names = useLoad(() => api.fileNames(), [api, live.files?.length]);
	const [editing, setEditing] = useState<StoreFile | null>(null);
	const [busy, setBusy] = useState<string | null>(null);
	const [error, setError] = useState<string | null>(null);
	const nameOf = (id: string) => names.data?.get(id) ?? id;

	const add = async (file: File) => {
		await api.add(store.id, file);
		live.reload();
		onChanged();
	};
	const remove = async (f: StoreFile) => {
		if (!window.confirm(t("confirmRemove", { name: nameOf(f.id) }))) return;
		setBusy(f.id);
		setError(null);
		try {
			await api.deleteFile(f.id);
			live.reload();
			onChanged();
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(null);
		}
	};

	return (
		<section class="stack" data-testid="kn-store-detail" aria-labelledby="kn-store-title">
			<h2 id="kn-store-title" style={{ marginBottom: 0 }}>
				{t("storeTitle", { name: storeName(store) })}
			</h2>
			<UploadZone onFile={add} />
			<div class="row spread">
				<h3 style={{ margin: 0 }}>{t("files")}</h3>
				<span class="muted" data-testid="kn-polling" data-polling={String(live.polling)}>
					{live.polling && (
						<>
							<span class="spinner" aria-hidden="true" /> {t("live")}
						</>
					)}
				</span>
			</div>
			{error && <Alert testid="kn-file-error">{error}</Alert>}
			{live.error && <ErrorBox error={live.error} retry={live.reload} />}
			{live.files === undefined ? (
				!live.error && <Loading />
			) : (
				<FileTable files={live.files} nameOf={nameOf} busy={busy} onAttributes={setEditing} onRemove={(f) => void remove(f)} />
			)}
			<h3 style={{ margin: 0 }}>{t("search")}</h3>
			<StoreSearch key={store.id} api={api} storeId={store.id} />
			{editing && (
				<AttributesDialog
					name={nameOf(editing.id)}
					attributes={editing.attributes}
					onClose={() => setEditing(null)}
					onSave={async (attributes) => {
						await api.setAttributes(store.id, editing.id, attributes);
						setEditing(null);
						live.reload();
					}}
				/>
			)}
		</section>
	);
}
