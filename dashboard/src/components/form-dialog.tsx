/** The dashboard's one form dialog: a modal with a title, the form's fields, its error, and cancel and submit buttons. */

import type { ComponentChildren } from "preact";
import { translator } from "../i18n";
import { Alert } from "./async";
import { useModal } from "./hooks";

const t = translator({ en: { cancel: "Cancel", saving: "Saving…" }, zh: { cancel: "取消", saving: "保存中…" } });

export function FormDialog({
	testid,
	title,
	submitLabel,
	submitTestId,
	busy,
	canSubmit = true,
	error,
	onSubmit,
	onClose,
	children,
}: {
	/** The dialog's test id; its error box is `${testid}-error` and its title's id `${testid}-title`. */
	testid: string;
	title: string;
	submitLabel: string;
	submitTestId: string;
	busy: boolean;
	canSubmit?: boolean;
	error: string | null;
	onSubmit: () => void;
	/** Called once the dialog has closed, by cancel, Escape or the caller. */
	onClose: () => void;
	children: ComponentChildren;
}) {
	const ref = useModal();
	const submit = (e: Event) => {
		e.preventDefault();
		onSubmit();
	};
	return (
		<dialog ref={ref} onClose={onClose} aria-labelledby={`${testid}-title`} data-testid={testid}>
			<form class="stack" onSubmit={submit} noValidate>
				<h2 id={`${testid}-title`} style={{ margin: 0 }}>
					{title}
				</h2>
				{children}
				{error && <Alert testid={`${testid}-error`}>{error}</Alert>}
				<div class="row" style={{ justifyContent: "flex-end" }}>
					<button type="button" class="secondary" onClick={() => ref.current?.close()}>
						{t("cancel")}
					</button>
					<button type="submit" data-testid={submitTestId} disabled={busy || !canSubmit}>
						{busy ? t("saving") : submitLabel}
					</button>
				</div>
			</form>
		</dialog>
	);
}
