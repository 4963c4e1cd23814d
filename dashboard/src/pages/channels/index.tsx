/** The channels page (the operator's): upstream providers, their breakers' health, tests, probe history, and the form to add or edit one. */

import { useState } from "preact/hooks";
import { api, get } from "../../api";
import type { Channel, ChannelHealth } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { useRowAction } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { ChannelDialog, type ChannelType } from "./form";
import { useHealth } from "./health";
import { useUnpriced } from "./prices";
import { ProbesDialog } from "./probes";
import { t } from "./strings";
import { ChannelTable } from "./table";
import { useTests } from "./test";

export function ChannelsPage() {
	const list = useLoad(() => get<{ data: Channel[] }>("/api/channels").then((r) => r.data), []);
	const types = useLoad(() => get<{ data: ChannelType[] }>("/api/channels/types").then((r) => r.data), []);
	const { health, refreshHealth, showHealth } = useHealth(list.data);
	const { tests, test } = useTests(refreshHealth);
	const prices = useUnpriced();
	const [editing, setEditing] = useState<Channel | "new" | null>(null);
	const [probing, setProbing] = useState<Channel | null>(null);
	const { busy, error: actionError, act } = useRowAction();

	const toggle = (c: Channel) =>
		act(c.id, async () => {
			await api("PATCH", `/api/channels/${c.id}`, { status: c.status === "enabled" ? "disabled" : "enabled" });
			list.reload();
			void refreshHealth(c.id);
		});

	const remove = (c: Channel) => {
		if (!window.confirm(t("confirmDelete", { name: c.name }))) return;
		void act(c.id, async () => {
			await api("DELETE", `/api/channels/${c.id}`);
			list.reload();
		});
	};

	const reset = (c: Channel) =>
		act(c.id, async () => {
			showHealth(c.id, await api<ChannelHealth>("POST", `/api/channels/${c.id}/health/reset`));
		});

	const refresh = () => {
		list.reload();
		prices.reload();
		for (const c of list.data ?? []) void refreshHealth(c.id);
	};

	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")}>
				<button type="button" class="secondary" onClick={refresh} disabled={list.loading}>
					{t("refresh")}
				</button>
				<button type="button" data-testid="channel-new" onClick={() => setEditing("new")}>
					{t("new")}
				</button>
			</PageTitle>
			{actionError && <Alert>{actionError}</Alert>}
			<Async load={list}>
				{(channels) => (
					<ChannelTable
						channels={channels}
						health={health}
						tests={tests}
						busy={busy}
						onTest={(c) => void test(c)}
						onToggle={(c) => void toggle(c)}
						onEdit={setEditing}
						onReset={(c) => void reset(c)}
						onProbes={setProbing}
						onDelete={remove}
						unpriced={(c) => prices.unpriced(c.id, c.models)}
					/>
				)}
			</Async>
			{probing !== null && <ProbesDialog channel={probing} onClose={() => setProbing(null)} />}
			{editing !== null && (
				<ChannelDialog
					channel={editing === "new" ? null : editing}
					types={types.data ?? null}
					typesError={types.error?.message ?? null}
					unpriced={(models) => prices.unpriced(editing === "new" ? null : editing.id, models)}
					onClose={() => setEditing(null)}
					onSaved={(saved) => {
						setEditing(null);
						list.reload();
						void refreshHealth(saved.id);
					}}
				/>
			)}
		</div>
	);
}
