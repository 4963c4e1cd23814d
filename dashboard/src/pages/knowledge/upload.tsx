/** Where documents enter a store: dropped on the zone, or chosen with the file input inside it. */

import { useState } from "preact/hooks";
import { Alert } from "../../components/async";
import { messageOf } from "../../components/format";
import { t } from "./strings";

export function UploadZone({ onFile }: { onFile: (file: File) => Promise<void> }) {
	const [over, setOver] = useState(false);
	const [current, setCurrent] = useState<string | null>(null);
	const [errors, setErrors] = useState<string[]>([]);

	// One at a time, in the order given: each is uploaded, then added to the store, which starts its ingestion.
	const take = async (list: FileList | null) => {
		if (!list || list.length === 0) return;
		setErrors([]);
		for (const file of Array.from(list)) {
			setCurrent(file.name);
			try {
				await onFile(file);
			} catch (err) {
				setErrors((e) => [...e, t("uploadFailed", { name: file.name, message: messageOf(err) })]);
			}
		}
		setCurrent(null);
	};

	return (
		<div class="stack">
			{/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target only takes a mouse's drop; the file input inside it is the keyboard's way in */}
			<div
				class={`drop-zone${over ? " over" : ""}`}
				data-testid="kn-drop"
				onDragOver={(e) => {
					e.preventDefault();
					setOver(true);
				}}
				onDragLeave={() => setOver(false)}
				onDrop={(e) => {
					e.preventDefault();
					setOver(false);
					void take(e.dataTransfer?.files ?? null);
				}}
			>
				<strong>{current ? t("uploading", { name: current }) : t("drop")}</strong>
				<span class="muted">{t("dropHint")}</span>
				<label class="button secondary">
					{t("choose")}
					<input
						type="file"
						multiple
						class="visually-hidden"
						data-testid="kn-file-input"
						disabled={current !== null}
						onChange={(e) => {
							const input = e.currentTarget;
							void take(input.files).then(() => {
								input.value = "";
							});
						}}
					/>
				</label>
			</div>
			{errors.map((message) => (
				<Alert key={message} testid="kn-upload-error">
					{message}
				</Alert>
			))}
		</div>
	);
}
