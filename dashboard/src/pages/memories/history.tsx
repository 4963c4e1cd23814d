/** A memory's history, as the gateway keeps it: each ADD, UPDATE and DELETE with the text before and after. */

import { useEffect, useRef } from "preact/hooks";
import { Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import type { HistoryEntry, Memory, MemoryApi } from "./api";
import { t } from "./strings";

const BADGE = { ADD: "ok", UPDATE: "warn", DELETE: "error" } as const satisfies Record<HistoryEntry["event"], string>;

const text = (s: string | null) => (s === null ? <span class="muted">–</span> : s);

export function MemoryHistory({ api, memory, onClose }: { api: MemoryApi; memory: Memory; onClose: () => void }) {
	const history = useLoad(() => api.history(memory.id), [api, memory.id]);
	const ref = useRef<HTMLElement>(null);
	// It opens below the list, maybe out of sight of the button that asked for it.
	useEffect(() => ref.current?.scrollIntoView({ block: "nearest" }), []);
	return (
		<section ref={ref} class="card stack" data-testid="mem-history" aria-labelledby="mem-history-title">
			<div class="row spread">
				<h3 id="mem-history-title" style={{ margin: 0 }}>
					{t("historyTitle")}
				</h3>
				<button type="button" class="secondary" data-testid="mem-history-close" onClick={onClose}>
					{t("close")}
				</button>
			</div>
			<p class="hit-text muted" style={{ margin: 0 }} data-testid="mem-history-memory">
				{memory.memory}
			</p>
			<Async load={history}>
				{(entries) => (
					<DataTable
						testid="mem-history-table"
						rows={entries}
						rowKey={(h) => h.id}
						empty={t("noHistory")}
						columns={[
							{
								id: "event",
								head: t("colEvent"),
								cell: (h) => (
									<span class={`badge ${BADGE[h.event]}`} data-testid="mem-history-event" data-event={h.event}>
										{t(`event_${h.event}`)}
									</span>
								),
							},
							{ id: "old", head: t("colOld"), class: "wrap", cell: (h) => <span data-testid="mem-history-old">{text(h.old_memory)}</span> },
							{ id: "new", head: t("colNew"), class: "wrap", cell: (h) => <span data-testid="mem-history-new">{text(h.new_memory)}</span> },
							{ id: "when", head: t("colWhen"), cell: (h) => fmt.time(h.created_at) },
						]}
					/>
				)}
			</Async>
		</section>
	);
}
