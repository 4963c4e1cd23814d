/** The pieces billing's sections are built of: a titled card, and a form's submit row with its message. */

import type { ComponentChildren } from "preact";
import { Alert } from "../../components/async";
import { t } from "./strings";
import type { Message } from "./submit";

export function Section({ title, hint, children, testid }: { title: string; hint?: string; children: ComponentChildren; testid: string }) {
	return (
		<section class="card stack" data-testid={testid}>
			<h2 style={{ margin: 0 }}>{title}</h2>
			{hint && (
				<p class="muted" style={{ margin: 0 }}>
					{hint}
				</p>
			)}
			{children}
		</section>
	);
}

function Notice({ msg, testid }: { msg: Message; testid: string }) {
	if (!msg) return null;
	return msg.ok ? (
		<p role="status" data-testid={testid} style={{ color: "var(--ok)", margin: 0 }}>
			{msg.text}
		</p>
	) : (
		<Alert testid={testid}>{msg.text}</Alert>
	);
}

/** A form's submit button (and any others beside it), and under them what its last submission came to. */
export function SubmitRow({
	busy,
	label,
	disabled = false,
	testid,
	msg,
	msgTestId,
	children,
}: {
	busy: boolean;
	label: string;
	disabled?: boolean;
	testid: string;
	msg: Message;
	msgTestId: string;
	children?: ComponentChildren;
}) {
	return (
		<>
			<div class="row">
				<button type="submit" disabled={busy || disabled} data-testid={testid}>
					{busy ? t("saving") : label}
				</button>
				{children}
			</div>
			<Notice msg={msg} testid={msgTestId} />
		</>
	);
}
