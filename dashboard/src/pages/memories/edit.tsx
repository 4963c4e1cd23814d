/** The dialog that changes a memory's text (an UPDATE in its history, the old text kept there). */

import { useState } from "preact/hooks";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import type { Memory } from "./api";
import { t } from "./strings";

export function EditMemory({ memory, onSave, onClose }: { memory: Memory; onSave: (text: string) => Promise<void>; onClose: () => void }) {
	const [text, setText] = useState(memory.memory);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async () => {
		setBusy(true);
		setError(null);
		try {
			await onSave(text.trim());
		} catch (err) {
			setError(messageOf(err));
			setBusy(false);
		}
	};
	return (
		<FormDialog
			testid="mem-edit"
			title={t("editTitle")}
			submitLabel={t("save")}
			submitTestId="mem-edit-save"
			busy={busy}
			canSubmit={text.trim() !== ""}
			error={error}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<label>
				{t("editLabel")}
				<textarea name="memory" rows={4} data-testid="mem-edit-input" value={text} onInput={(e) => setText(e.currentTarget.value)} />
			</label>
		</FormDialog>
	);
}
