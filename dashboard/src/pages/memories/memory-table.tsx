/** A page of an entity's memories: the text as stored, when it was added and changed, and what can be done to it. */

import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import type { Memory } from "./api";
import { t } from "./strings";

export function MemoryTable({
	memories,
	busy,
	onEdit,
	onHistory,
	onDelete,
}: {
	memories: Memory[];
	busy: string | null;
	onEdit: (m: Memory) => void;
	onHistory: (m: Memory) => void;
	onDelete: (m: Memory) => void;
}) {
	return (
		<DataTable
			testid="mem-memories"
			rows={memories}
			rowKey={(m) => m.id}
			rowTestId={(m) => `mem-memory-${m.id}`}
			empty={t("noMemories")}
			columns={[
				{ id: "memory", head: t("colMemory"), class: "wrap", cell: (m) => <span data-testid="mem-memory-text">{m.memory}</span>, title: (m) => m.id },
				{ id: "created", head: t("colCreated"), cell: (m) => fmt.time(m.created_at) },
				{ id: "updated", head: t("colUpdated"), cell: (m) => fmt.time(m.updated_at) },
				{
					id: "actions",
					head: t("colActions"),
					cell: (m) => (
						<div class="actions">
							<button type="button" class="secondary" data-testid={`mem-edit-${m.id}`} onClick={() => onEdit(m)}>
								{t("edit")}
							</button>
							<button type="button" class="secondary" data-testid={`mem-history-${m.id}`} onClick={() => onHistory(m)}>
								{t("history")}
							</button>
							<button type="button" class="danger" data-testid={`mem-delete-${m.id}`} disabled={busy === m.id} onClick={() => onDelete(m)}>
								{t("delete")}
							</button>
						</div>
					),
				},
			]}
		/>
	);
}
