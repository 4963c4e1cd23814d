/** An app's keys: issue one (its secret shown once, with a copy button), list them, revoke one. */

import { useState } from "preact/hooks";
import type { App } from "../../components/api-types";
import { Alert, Async, useLoad } from "../../components/async";
import { CopyButton } from "../../components/copy-button";
import { DataTable } from "../../components/data-table";
import { messageOf } from "../../components/format";
import { useRowAction } from "../../components/hooks";
import { fmt } from "../../i18n";
import { appsApi, type IssuedKey } from "./api";
import { t } from "./strings";

export function AppKeys({ app }: { app: App }) {
	const keys = useLoad(() => appsApi.keys(app.id), [app.id]);
	const [name, setName] = useState("");
	const [issued, setIssued] = useState<IssuedKey | null>(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const revoke = useRowAction();

	const issue = async (e: Event) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			setIssued(await appsApi.issue(app.id, name));
			setName("");
			keys.reload();
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};

	return (
		<div class="card stack" data-testid="app-keys">
			<h2 style={{ margin: 0 }}>{t("keysTitle", { name: app.name })}</h2>
			<p class="muted" style={{ margin: 0 }}>
				{t("keysHint", { url: `${location.origin}/dify/v1` })} <code>new ChatClient(key, "{location.origin}/dify/v1")</code>
			</p>
			<form class="row" style={{ alignItems: "flex-end" }} onSubmit={(e) => void issue(e)}>
				<label style={{ flex: "1 1 16rem" }}>
					{t("keyName")}
					<input
						data-testid="app-key-name"
						value={name}
						maxLength={100}
						placeholder={t("keyNamePlaceholder")}
						onInput={(e) => setName(e.currentTarget.value)}
					/>
				</label>
				<button type="submit" data-testid="app-key-issue" disabled={busy}>
					{t("issue")}
				</button>
			</form>
			{error && <Alert testid="app-key-error">{error}</Alert>}
			{issued && (
				<div class="card stack" role="status" aria-live="polite">
					<div class="row" style={{ flexWrap: "nowrap", alignItems: "flex-start" }}>
						<code data-testid="app-key-created" style={{ flex: 1, padding: "0.4rem 0.5rem" }}>
							{issued.key}
						</code>
						<CopyButton text={issued.key} />
					</div>
					<p style={{ margin: 0 }}>
						<span class="badge warn">!</span> <strong>{t("shownOnce")}</strong>
					</p>
					<div>
						<button type="button" class="secondary" onClick={() => setIssued(null)}>
							{t("done")}
						</button>
					</div>
				</div>
			)}
			{revoke.error && <Alert>{revoke.error}</Alert>}
			<Async load={keys}>
				{(rows) => (
					<DataTable
						testid="app-key-table"
						rows={rows}
						rowKey={(k) => k.id}
						empty={t("noKeys")}
						columns={[
							{ id: "name", head: t("keyName"), cell: (k) => k.name },
							{ id: "prefix", head: t("prefix"), cell: (k) => k.key_prefix, class: "mono" },
							{ id: "status", head: t("status"), cell: (k) => (k.status === "active" ? t("active") : t("disabled")) },
							{ id: "created", head: t("created"), cell: (k) => fmt.time(k.created_at), class: "nowrap" },
							{ id: "used", head: t("lastUsed"), cell: (k) => (k.last_used_at ? fmt.time(k.last_used_at) : "–"), class: "nowrap" },
							{
								id: "actions",
								head: "",
								cell: (k) => (
									<button
										type="button"
										class="danger"
										data-testid="app-key-revoke"
										disabled={revoke.busy === k.id}
										onClick={() => {
											if (window.confirm(t("confirmRevoke", { name: k.name })))
												void revoke.act(k.id, async () => {
													await appsApi.revoke(app.id, k.id);
													keys.reload();
												});
										}}
									>
										{t("revoke")}
									</button>
								),
							},
						]}
					/>
				)}
			</Async>
		</div>
	);
}
