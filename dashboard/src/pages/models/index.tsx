/** The Models page (the operator's): model aliases with their fallback chains, and each model's routing policy. */

import { useState } from "preact/hooks";
import { Alert, Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { useRowAction } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { type ModelRoute, modelsApi } from "./api";
import { RouteDialog } from "./form";
import { t } from "./strings";

export function ModelsPage() {
	const routes = useLoad(modelsApi.list, []);
	const [editing, setEditing] = useState<ModelRoute | "new" | null>(null);
	const remove = useRowAction();

	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")}>
				<button type="button" data-testid="route-new" onClick={() => setEditing("new")}>
					{t("newRoute")}
				</button>
			</PageTitle>
			{remove.error && <Alert>{remove.error}</Alert>}
			<Async load={routes}>
				{(list) => (
					<DataTable
						testid="route-table"
						rows={list}
						rowKey={(r) => r.name}
						rowTestId={(r) => `route-row-${r.name}`}
						empty={t("noRoutes")}
						columns={[
							{ id: "name", head: t("name"), cell: (r) => <strong class="mono">{r.name}</strong> },
							{ id: "kind", head: t("kind"), cell: (r) => (r.alias ? t("alias") : t("plainModel")) },
							{ id: "chain", head: t("chain"), cell: (r) => r.chain.join(" → ") || "–", class: "mono" },
							{
								id: "policy",
								head: t("policy"),
								cell: (r) => (r.hash_on ? `${t(r.policy)} (${t(r.hash_on === "user" ? "hashUser" : "hashKey")})` : t(r.policy)),
							},
							{ id: "updated", head: t("updated"), cell: (r) => fmt.time(r.updated_at), class: "nowrap" },
							{
								id: "actions",
								head: "",
								cell: (r) => (
									<span class="actions">
										<button type="button" class="secondary" data-testid="route-edit" onClick={() => setEditing(r)}>
											{t("edit")}
										</button>
										<button
											type="button"
											class="danger"
											data-testid="route-delete"
											disabled={remove.busy === list.indexOf(r)}
											onClick={() => {
												if (window.confirm(t("confirmDelete", { name: r.name })))
													void remove.act(list.indexOf(r), async () => {
														await modelsApi.remove(r.name);
														routes.reload();
													});
											}}
										>
											{t("delete")}
										</button>
									</span>
								),
							},
						]}
					/>
				)}
			</Async>
			{editing && (
				<RouteDialog
					route={editing === "new" ? null : editing}
					onClose={() => setEditing(null)}
					onSaved={() => {
						setEditing(null);
						routes.reload();
					}}
				/>
			)}
		</div>
	);
}
