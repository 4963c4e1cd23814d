/** The entities (users, agents, apps, runs) the user's memories are about: a table to open one or forget all of it. */

import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import type { Entity, EntityType } from "./api";
import { t } from "./strings";

/** An entity's identity: `alice` the user and `alice` the agent are two. */
export const entityKey = (e: { type: EntityType; id: string }) => `${e.type}:${e.id}`;

export const typeName = (type: EntityType) => t(`type_${type}`);

export function EntityTable({
	entities,
	openKey,
	busy,
	onOpen,
	onDeleteAll,
}: {
	entities: Entity[];
	openKey: string | undefined;
	busy: string | null;
	onOpen: (e: Entity) => void;
	onDeleteAll: (e: Entity) => void;
}) {
	return (
		<DataTable
			testid="mem-entities"
			rows={entities}
			rowKey={entityKey}
			rowTestId={(e) => `mem-entity-${entityKey(e)}`}
			empty={t("noEntities")}
			columns={[
				{ id: "entity", head: t("colEntity"), class: "wrap", cell: (e) => <strong data-testid="mem-entity-id">{e.id}</strong> },
				{ id: "type", head: t("colType"), cell: (e) => <span class="badge">{typeName(e.type)}</span> },
				{ id: "memories", head: t("colMemories"), num: true, cell: (e) => <span data-testid="mem-entity-count">{fmt.int(e.total_memories)}</span> },
				{ id: "updated", head: t("colUpdated"), cell: (e) => fmt.time(e.updated_at) },
				{
					id: "actions",
					head: t("colActions"),
					cell: (e) => {
						const key = entityKey(e);
						return (
							<div class="actions">
								<button
									type="button"
									class="secondary"
									data-testid={`mem-entity-open-${key}`}
									aria-pressed={key === openKey}
									disabled={key === openKey}
									onClick={() => onOpen(e)}
								>
									{key === openKey ? t("opened") : t("open")}
								</button>
								<button type="button" class="danger" data-testid={`mem-entity-delete-${key}`} disabled={busy === key} onClick={() => onDeleteAll(e)}>
									{t("deleteAll")}
								</button>
							</div>
						);
					},
				},
			]}
		/>
	);
}
