/** The message box under the conversation, with its send, stop and clear buttons. */

import { Alert } from "../../components/async";
import { t } from "./strings";

export function Composer({
	input,
	onInput,
	error,
	streaming,
	empty,
	onSend,
	onStop,
	onClear,
}: {
	input: string;
	onInput: (text: string) => void;
	error: string | null;
	streaming: boolean;
	/** No messages yet: nothing to clear. */
	empty: boolean;
	onSend: () => void;
	onStop: () => void;
	onClear: () => void;
}) {
	const onKeyDown = (e: KeyboardEvent) => {
		// Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition (Chinese input) is neither.
		if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
			e.preventDefault();
			onSend();
		}
	};

	const onSubmit = (e: Event) => {
		e.preventDefault();
		onSend();
	};

	return (
		<form class="card stack" onSubmit={onSubmit}>
			<label>
				<span class="muted">{t("input")}</span>
				<textarea
					data-testid="pg-input"
					name="input"
					rows={3}
					value={input}
					placeholder={t("inputPlaceholder")}
					onInput={(e) => onInput(e.currentTarget.value)}
					onKeyDown={onKeyDown}
				/>
			</label>
			{error && <Alert>{error}</Alert>}
			<div class="row spread">
				<button type="button" class="secondary" onClick={onClear} disabled={streaming || empty}>
					{t("clear")}
				</button>
				{streaming ? (
					<button type="button" class="danger" data-testid="pg-stop" onClick={onStop}>
						{t("stop")}
					</button>
				) : (
					<button type="submit" data-testid="pg-send" disabled={!input.trim()}>
						{t("send")}
					</button>
				)}
			</div>
		</form>
	);
}
