/** The keys page: gateway keys (every user's for the operator, one's own otherwise), created, edited, switched off and watched. */

import { useState } from "preact/hooks";
import { api, get } from "../../api";
import type { Token, User } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { useRowAction } from "../../components/hooks";
import { PageTitle } from "../../components/page-title";
import { isAdmin } from "../../session";
import { CreatedKey } from "./created";
import { type CreatedToken, KeyDialog } from "./form";
import { SecurityNotice } from "./security-notice";
import { t } from "./strings";
import { KeyTable } from "./table";
import { KeyUsage } from "./usage";

/** The grace the dashboard gives a rotated key's old secret, said in the confirmation (the API's default is the operator's setting). */
const ROTATION_GRACE_HOURS = 24;

export function KeysPage() {
	const admin = isAdmin.value;
	const list = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data), []);
	const users = useLoad(() => (admin ? get<{ data: User[] }>("/api/users").then((r) => r.data) : Promise.resolve([] as User[])), [admin]);
	const [editing, setEditing] = useState<Token | "new" | null>(null);
	const [created, setCreated] = useState<CreatedToken | null>(null);
	const [viewing, setViewing] = useState<Token | null>(null);
	const { busy, error: actionError, act } = useRowAction();

	const userName = (id: number) => users.data?.find((u) => u.id === id)?.name ?? `#${id}`;

	const toggle = (k: Token) =>
		act(k.id, async () => {
			const updated = await api<Token>("PATCH", `/api/tokens/${k.id}`, { status: k.status === "active" ? "disabled" : "active" });
			if (viewing?.id === k.id) setViewing(updated);
			list.reload();
		});

	const rotate = (k: Token) => {
		if (!window.confirm(t("confirmRotate", { name: k.name, hours: ROTATION_GRACE_HOURS }))) return;
		void act(k.id, async () => {
			const rotated = await api<CreatedToken>("POST", `/api/tokens/${k.id}/rotate`, { grace_hours: ROTATION_GRACE_HOURS });
			setCreated(rotated);
			if (viewing?.id === k.id) setViewing(rotated);
			list.reload();
		});
	};

	const revoke = (k: Token) => {
		if (!window.confirm(t("confirmRevoke", { name: k.name }))) return;
		void act(k.id, async () => {
			await api("DELETE", `/api/tokens/${k.id}`);
			if (viewing?.id === k.id) setViewing(null);
			list.reload();
		});
	};

	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={admin ? t("subtitleAdmin") : t("subtitleUser")}>
				<button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
					{t("refresh")}
				</button>
				<button type="button" data-testid="key-new" onClick={() => setEditing("new")}>
					{t("new")}
				</button>
			</PageTitle>
			{created && <CreatedKey created={created} onDone={() => setCreated(null)} />}
			{actionError && <Alert>{actionError}</Alert>}
			<Async load={list}>
				{(keys) => (
					<>
						<SecurityNotice keys={keys} />
						<KeyTable
							keys={keys}
							admin={admin}
							userName={userName}
							busy={busy}
							onView={setViewing}
							onEdit={setEditing}
							onToggle={(k) => void toggle(k)}
							onRotate={rotate}
							onRevoke={revoke}
						/>
					</>
				)}
			</Async>
			{viewing && <KeyUsage key={viewing.id} token={viewing} onClose={() => setViewing(null)} />}
			{editing !== null && (
				<KeyDialog
					token={editing === "new" ? null : editing}
					admin={admin}
					users={users.data ?? []}
					onClose={() => setEditing(null)}
					onSaved={(saved) => {
						setEditing(null);
						if ("key" in saved) setCreated(saved);
						if (viewing?.id === saved.id) setViewing(saved);
						list.reload();
					}}
				/>
			)}
		</div>
	);
}
