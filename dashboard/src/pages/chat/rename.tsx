/** The dialog that renames a conversation. */

import { useState } from "preact/hooks";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import { chatApi } from "./api";
import { t } from "./strings";

export function RenameDialog({ id, name, onRenamed, onClose }: { id: string; name: string; onRenamed: () => void; onClose: () => void }) {
	const [value, setValue] = useState(name);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async () => {
		setBusy(true);
		setError(null);
		try {
			await chatApi.rename(id, value);
			onRenamed();
			onClose();
		} catch (err) {
			setError(messageOf(err));
			setBusy(false);
		}
	};
	return (
		<FormDialog
			testid="chat-rename-dialog"
			title={t("renameTitle")}
			submitLabel={t("save")}
			submitTestId="chat-rename-save"
			busy={busy}
			canSubmit={value.trim() !== ""}
			error={error}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<label>
				{t("name")}
				<input data-testid="chat-rename-input" value={value} maxLength={200} onInput={(e) => setValue(e.currentTarget.value)} />
			</label>
		</FormDialog>
	);
}
