/** A store's files: each one's status, ingestion stage and progress (live while ingesting), chunks and attributes. */

import { DataTable } from "../../components/data-table";
import { fmt } from "../../i18n";
import type { Attributes, StoreFile } from "./api";
import { bytes } from "./format";
import { t } from "./strings";

function Progress({ file: f }: { file: StoreFile }) {
	if (f.status === "failed") {
		return (
			<div class="stack" style={{ gap: "0.2rem" }}>
				<span class="badge error">{t("file_failed")}</span>
				{f.last_error && <small class="file-error">{f.last_error.message}</small>}
			</div>
		);
	}
	if (f.status !== "in_progress") return <span class={`badge ${f.status === "completed" ? "ok" : "warn"}`}>{t(`file_${f.status}`)}</span>;
	const percent = Math.round(f.progress * 100);
	return (
		<div class="stage">
			<span class="badge warn">{t(`stage_${f.stage}`)}</span>
			<progress max={100} value={percent} aria-label={t(`stage_${f.stage}`)} />
			<span class="muted">{percent}%</span>
		</div>
	);
}

export function AttributeList({ attributes }: { attributes: Attributes | null }) {
	const entries = Object.entries(attributes ?? {});
	if (entries.length === 0) return <span class="muted">{t("noAttributes")}</span>;
	return (
		<span class="attributes">
			{entries.map(([key, value]) => (
				<code key={key}>
					{key}: {JSON.stringify(value)}
				</code>
			))}
		</span>
	);
}

export function FileTable({
	files,
	nameOf,
	busy,
	onAttributes,
	onRemove,
}: {
	files: StoreFile[];
	nameOf: (id: string) => string;
	busy: string | null;
	onAttributes: (f: StoreFile) => void;
	onRemove: (f: StoreFile) => void;
}) {
	return (
		<DataTable
			testid="kn-files"
			rows={files}
			rowKey={(f) => f.id}
			rowTestId={(f) => `kn-file-${f.id}`}
			empty={t("noFiles")}
			columns={[
				{ id: "name", head: t("colFile"), cell: (f) => <span data-testid="kn-file-name">{nameOf(f.id)}</span>, title: (f) => f.id },
				{
					id: "stage",
					head: t("colStage"),
					class: "wrap",
					cell: (f) => (
						<span data-testid="kn-file-status" data-status={f.status}>
							<Progress file={f} />
						</span>
					),
				},
				{ id: "chunks", head: t("colChunks"), num: true, cell: (f) => fmt.int(f.chunk_count) },
				{ id: "size", head: t("colSize"), num: true, cell: (f) => bytes(f.usage_bytes) },
				{
					id: "attributes",
					head: t("colAttributes"),
					class: "wrap",
					cell: (f) => (
						<span data-testid="kn-file-attributes">
							<AttributeList attributes={f.attributes} />
						</span>
					),
				},
				{
					id: "actions",
					head: t("colActions"),
					cell: (f) => (
						<div class="actions">
							<button type="button" class="secondary" data-testid={`kn-file-attributes-${f.id}`} onClick={() => onAttributes(f)}>
								{t("editAttributes")}
							</button>
							<button type="button" class="danger" data-testid={`kn-file-remove-${f.id}`} disabled={busy === f.id} onClick={() => onRemove(f)}>
								{t("remove")}
							</button>
						</div>
					),
				},
			]}
		/>
	);
}
