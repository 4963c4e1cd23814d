/** A labelled form field: its label, the control, and the lines under it (a hint, a note). */

import type { ComponentChildren } from "preact";

export function Field({
	label,
	hint,
	children,
	htmlFor,
}: {
	label: ComponentChildren;
	hint?: ComponentChildren;
	children: ComponentChildren;
	htmlFor?: string;
}) {
	return (
		<label htmlFor={htmlFor}>
			{label}
			{children}
			{hint && <small class="muted">{hint}</small>}
		</label>
	);
}
