/**
 * The Apps page: chat apps (a model, prompts, knowledge and memory under one name) served to Dify's clients at
 * /dify/v1; create, edit and delete them, and issue and revoke their keys.
 */

import { useState } from "preact/hooks";
import { get } from "../../api";
import type { App, Token } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { useRowAction } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { fmt } from "../../i18n";
import { session } from "../../session";
import { knowledgeApi, type VectorStore } from "../knowledge/api";
import { appsApi } from "./api";
import { AppDialog } from "./form";
import { AppKeys } from "./keys";
import { t } from "./strings";

/** The operator's own account, whose stores the operator's session lists (src/auth/policy.ts, sessionKeyOwner). */
const ADMIN_USER_ID = 1;

/** The user's vector stores, listed as one of their own usable keys (the Vector Stores API needs one); none without a key. */
async function ownStores(): Promise<VectorStore[] | undefined> {
	const owner = session.value?.userId ?? ADMIN_USER_ID;
	const tokens = await get<{ data: Token[] }>("/api/tokens");
	const key = tokens.data.find((k) => k.user_id === owner && k.app_id === null && k.status === "active");
	return key ? knowledgeApi(String(key.id)).stores() : undefined;
}

export function AppsPage() {
	const apps = useLoad(appsApi.list, []);
	const stores = useLoad(ownStores, []);
	const [editing, setEditing] = useState<App | "new" | null>(null);
	const [openId, setOpenId] = useState<string | null>(null);
	const remove = useRowAction();
	const rows = apps.data ?? [];
	const open = rows.find((a) => a.id === openId);
	const storeName = (id: string) => stores.data?.find((s) => s.id === id)?.name ?? id;

	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")}>
				<button type="button" data-testid="app-new" onClick={() => setEditing("new")}>
					{t("newApp")}
				</button>
			</PageTitle>
			{remove.error && <Alert>{remove.error}</Alert>}
			<Async load={apps}>
				{(list) => (
					<DataTable
						testid="app-table"
						rows={list}
						rowKey={(a) => a.id}
						rowTestId={(a) => `app-row-${a.name}`}
						empty={t("noApps")}
						columns={[
							{ id: "name", head: t("name"), cell: (a) => <strong>{a.name}</strong> },
							{ id: "model", head: t("model"), cell: (a) => a.model, class: "mono" },
							{ id: "stores", head: t("stores"), cell: (a) => a.vector_store_ids.map(storeName).join(", ") || "–" },
							{
								id: "memory",
								head: t("memory"),
								cell: (a) => t(a.memory_mode === "off" ? "memoryOff" : a.memory_mode === "read" ? "memoryRead" : "memoryReadWrite"),
							},
							{ id: "created", head: t("created"), cell: (a) => fmt.time(a.created_at), class: "nowrap" },
							{
								id: "actions",
								head: "",
								cell: (a) => (
									<span class="actions">
										<button type="button" class="secondary" data-testid="app-keys-open" aria-pressed={a.id === openId} onClick={() => setOpenId(a.id)}>
											{t("keys")}
										</button>
										<button type="button" class="secondary" data-testid="app-edit" onClick={() => setEditing(a)}>
											{t("edit")}
										</button>
										<button
											type="button"
											class="danger"
											data-testid="app-delete"
											disabled={remove.busy === list.indexOf(a)}
											onClick={() => {
												if (window.confirm(t("confirmDelete", { name: a.name })))
													void remove.act(list.indexOf(a), async () => {
														await appsApi.remove(a.id);
														if (openId === a.id) setOpenId(null);
														apps.reload();
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
			{open && <AppKeys key={open.id} app={open} />}
			{editing && (
				<AppDialog
					app={editing === "new" ? null : editing}
					stores={stores.data}
					onClose={() => setEditing(null)}
					onSaved={(saved) => {
						setEditing(null);
						setOpenId(saved.id);
						apps.reload();
					}}
				/>
			)}
		</div>
	);
}
