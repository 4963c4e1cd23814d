/** One open entity: its memories a page at a time, to edit, delete or trace; and a search over them. */

import { useState } from "preact/hooks";
import { Alert, Async, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import { fmt } from "../../i18n";
import { type Entity, type Memory, type MemoryApi, PAGE_SIZE } from "./api";
import { EditMemory } from "./edit";
import { typeName } from "./entities";
import { MemoryHistory } from "./history";
import { MemoryTable } from "./memory-table";
import { MemorySearch } from "./search";
import { t } from "./strings";

export function EntityDetail({ api, entity, version, onChanged }: { api: MemoryApi; entity: Entity; version: number; onChanged: () => void }) {
	const [page, setPage] = useState(1);
	const memories = useLoad(() => api.memories(entity, page), [api, page, version]);
	const [editing, setEditing] = useState<Memory | null>(null);
	const [tracing, setTracing] = useState<Memory | null>(null);
	const [busy, setBusy] = useState<string | null>(null);
	const [error, setError] = useState<string | null>(null);
	const pages = Math.max(1, Math.ceil((memories.data?.count ?? 0) / PAGE_SIZE));
	// A delete can empty the last page: step back to the one that now ends the list.
	if (memories.data && page > pages) setPage(pages);

	const remove = async (m: Memory) => {
		if (!window.confirm(t("confirmDelete", { memory: m.memory }))) return;
		setBusy(m.id);
		setError(null);
		try {
			await api.remove(m.id);
			if (tracing?.id === m.id) setTracing(null);
			onChanged();
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(null);
		}
	};

	return (
		<section class="stack" data-testid="mem-entity-detail" aria-labelledby="mem-entity-title">
			<h2 id="mem-entity-title" style={{ marginBottom: 0 }}>
				{t("entityTitle", { type: typeName(entity.type), id: entity.id })}
			</h2>
			<h3 style={{ margin: 0 }}>{t("search")}</h3>
			<MemorySearch api={api} entity={entity} version={version} />
			<h3 style={{ margin: 0 }}>{t("memories")}</h3>
			{error && <Alert testid="mem-memory-error">{error}</Alert>}
			<Async load={memories}>
				{(list) => (
					<>
						<MemoryTable memories={list.results} busy={busy} onEdit={setEditing} onHistory={setTracing} onDelete={(m) => void remove(m)} />
						{list.count > 0 && (
							<div class="row spread">
								<span class="muted" data-testid="mem-page">
									{t("pageOf", { page: fmt.int(page), pages: fmt.int(pages), count: fmt.int(list.count) })}
								</span>
								<span class="row" style={{ gap: "0.5rem" }}>
									<button type="button" class="secondary" data-testid="mem-previous" disabled={page <= 1} onClick={() => setPage(page - 1)}>
										{t("previous")}
									</button>
									<button type="button" class="secondary" data-testid="mem-next" disabled={page >= pages} onClick={() => setPage(page + 1)}>
										{t("next")}
									</button>
								</span>
							</div>
						)}
					</>
				)}
			</Async>
			{tracing && <MemoryHistory key={`${tracing.id}-${version}`} api={api} memory={tracing} onClose={() => setTracing(null)} />}
			{editing && (
				<EditMemory
					memory={editing}
					onClose={() => setEditing(null)}
					onSave={async (text) => {
						const updated = await api.update(editing.id, text);
						// An open history of it is read again (its key has the version), under the new text.
						if (tracing?.id === updated.id) setTracing(updated);
						setEditing(null);
						onChanged();
					}}
				/>
			)}
		</section>
	);
}
