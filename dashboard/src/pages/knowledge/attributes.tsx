/** The dialog that edits a store file's attributes as JSON: an object of strings, numbers and booleans. */

import { useState } from "preact/hooks";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import type { Attributes } from "./api";
import { t } from "./strings";

/** The attributes the text says, or the reason it says none (checked here for a clear message; the API checks too). */
export function parseAttributes(text: string): { ok: true; value: Attributes | null } | { ok: false; message: string } {
	if (text.trim() === "") return { ok: true, value: null };
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (err) {
		return { ok: false, message: t("attributesNotJson", { message: messageOf(err) }) };
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, message: t("attributesNotObject") };
	const out: Attributes = {};
	for (const [key, v] of Object.entries(value)) {
		if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return { ok: false, message: t("attributesBadValue", { key }) };
		out[key] = v;
	}
	return { ok: true, value: out };
}

export function AttributesDialog({
	name,
	attributes,
	onSave,
	onClose,
}: {
	name: string;
	attributes: Attributes | null;
	onSave: (attributes: Attributes | null) => Promise<void>;
	onClose: () => void;
}) {
	const [text, setText] = useState(attributes ? JSON.stringify(attributes, null, 2) : "");
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async () => {
		const parsed = parseAttributes(text);
		if (!parsed.ok) {
			setError(parsed.message);
			return;
		}
		setBusy(true);
		setError(null);
		try {
			await onSave(parsed.value);
		} catch (err) {
			setError(messageOf(err));
			setBusy(false);
		}
	};
	return (
		<FormDialog
			testid="kn-attributes"
			title={t("attributesTitle", { name })}
			submitLabel={t("save")}
			submitTestId="kn-attributes-save"
			busy={busy}
			error={error}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<label>
				{t("attributesLabel")}
				<textarea
					name="attributes"
					class="mono"
					rows={6}
					data-testid="kn-attributes-input"
					aria-invalid={error !== null}
					value={text}
					placeholder={'{"team": "support", "year": 2024}'}
					onInput={(e) => setText(e.currentTarget.value)}
				/>
				<small class="muted">{t("attributesHint")}</small>
			</label>
		</FormDialog>
	);
}
