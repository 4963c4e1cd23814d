/** The operator's redemption codes: creating a batch (shown once), and the list of codes, filtered by batch. */

import { useState } from "preact/hooks";
import { api, query } from "../../api";
import { CopyButton } from "../../components/copy-button";
import { Field } from "../../components/field";
import { usePaged } from "../../components/hooks";
import { PagedTable } from "../../components/paged-table";
import { fmt } from "../../i18n";
import { Section, SubmitRow } from "./section";
import { t } from "./strings";
import { num, useSubmit } from "./submit";

interface Code {
	id: number;
	code_prefix: string;
	batch: string;
	value_usd: number;
	state: "available" | "redeemed" | "expired";
	expires_at: string | null;
	redeemed_by: number | null;
	redeemed_at: string | null;
	created_at: string;
}

interface CreatedCodes {
	batch: string;
	value_usd: number;
	expires_at: string | null;
	codes: string[];
}

const CODE_BADGE: Record<Code["state"], string> = { available: "ok", redeemed: "", expired: "warn" };
const CODE_LABEL = { available: "available", redeemed: "redeemedState", expired: "expired" } as const;

export function Redemptions({ names, onChange }: { names: Map<number, string>; onChange: () => void }) {
	const { busy, msg, setMsg, run } = useSubmit();
	const [created, setCreated] = useState<CreatedCodes | null>(null);
	const [batch, setBatch] = useState("");
	const [batchDraft, setBatchDraft] = useState("");
	const [version, setVersion] = useState(0);
	const filterBy = (b: string) => {
		setBatch(b);
		setBatchDraft(b);
	};
	const paged = usePaged<Code>((cursor) => `/api/redemptions${query({ batch, limit: 50, cursor })}`, [batch, version]);

	const create = (e: Event) => {
		e.preventDefault();
		const form = e.currentTarget as HTMLFormElement;
		const data = new FormData(form);
		const count = num(data, "count");
		const value = num(data, "value");
		if (!(value > 0) || !(count >= 1)) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		const expiresLocal = String(data.get("expires") ?? "");
		const expires = expiresLocal ? new Date(expiresLocal) : null;
		const label = String(data.get("batch") ?? "").trim();
		void run(async () => {
			const answer = await api<CreatedCodes>("POST", "/api/redemptions", {
				count: Math.floor(count),
				value_usd: value,
				...(expires && Number.isFinite(expires.getTime()) ? { expires_at: expires.toISOString() } : {}),
				...(label ? { batch: label } : {}),
			});
			setCreated(answer);
			form.reset();
			setVersion((v) => v + 1);
			onChange();
			return t("created", { count: fmt.int(answer.codes.length), value: fmt.usd(answer.value_usd), batch: answer.batch });
		});
	};

	return (
		<Section title={t("codes")} testid="redemptions">
			<form class="stack" onSubmit={create}>
				<h3 style={{ margin: 0, fontSize: "1rem" }}>{t("createCodes")}</h3>
				<div class="form-grid">
					<Field label={t("count")}>
						<input name="count" type="number" min="1" max="1000" step="1" required defaultValue="1" data-testid="codes-count" />
					</Field>
					<Field label={t("valueUsd")}>
						<input name="value" type="number" min="0" max="100000" step="any" required inputMode="decimal" data-testid="codes-value" />
					</Field>
					<Field label={t("expiresAt")}>
						<input name="expires" type="datetime-local" data-testid="codes-expires" />
					</Field>
					<Field label={t("batch")}>
						<input name="batch" maxLength={100} pattern="[\w.:\-]+" title={t("batchHint")} data-testid="codes-batch" />
					</Field>
				</div>
				<SubmitRow busy={busy} label={t("create")} testid="codes-create" msg={msg} msgTestId="codes-message" />
			</form>
			{created && (
				<div class="stack" data-testid="created-codes" style={{ border: "1px solid var(--warn)", borderRadius: "var(--radius)", padding: "0.75rem" }}>
					<strong style={{ color: "var(--warn)" }}>{t("showOnce")}</strong>
					<pre style={{ margin: 0, maxHeight: "16rem" }}>{created.codes.join("\n")}</pre>
					<div class="row">
						<CopyButton text={created.codes.join("\n")} label={t("copyAll")} />
						<button type="button" class="secondary" onClick={() => setCreated(null)}>
							{t("dismiss")}
						</button>
					</div>
				</div>
			)}
			<form
				class="row"
				onSubmit={(e) => {
					e.preventDefault();
					setBatch(batchDraft.trim());
				}}
			>
				<label class="inline">
					{t("filterBatch")}
					<input value={batchDraft} onInput={(e) => setBatchDraft(e.currentTarget.value)} data-testid="codes-filter" style={{ width: "14rem" }} />
				</label>
				<button type="submit" class="secondary">
					{t("filter")}
				</button>
				{batch && (
					<button type="button" class="link" onClick={() => filterBy("")}>
						{t("clear")}
					</button>
				)}
			</form>
			<PagedTable
				paged={paged}
				moreTestId="codes-more"
				rowKey={(c) => c.id}
				rowTestId={() => "code-row"}
				empty={t("noCodes")}
				columns={[
					{ id: "prefix", head: t("prefix"), class: "mono", cell: (c) => c.code_prefix },
					{
						id: "batch",
						head: t("batchCol"),
						cell: (c) => (
							<button type="button" class="link" onClick={() => filterBy(c.batch)}>
								{c.batch}
							</button>
						),
					},
					{ id: "value", head: t("value"), num: true, cell: (c) => fmt.usd(c.value_usd) },
					{ id: "state", head: t("state"), cell: (c) => <span class={`badge ${CODE_BADGE[c.state] ?? ""}`}>{t(CODE_LABEL[c.state] ?? "available")}</span> },
					{ id: "expires", head: t("expires"), cell: (c) => (c.expires_at ? fmt.time(c.expires_at) : t("never")) },
					{ id: "by", head: t("redeemedBy"), cell: (c) => (c.redeemed_by === null ? t("none") : (names.get(c.redeemed_by) ?? `#${c.redeemed_by}`)) },
					{ id: "at", head: t("redeemedAt"), cell: (c) => (c.redeemed_at ? fmt.time(c.redeemed_at) : t("none")) },
					{ id: "created", head: t("createdAt"), cell: (c) => fmt.time(c.created_at) },
				]}
			/>
		</Section>
	);
}
