/** Marks a limit the operator set on a key: a lock, and in the form what the operator's bound allows. */

import { t } from "./strings";

/** A padlock drawn inline, so that it needs no icon font and takes the text's colour. */
export function Lock() {
	return (
		<svg class="lock" viewBox="0 0 16 16" width="12" height="12" role="img" aria-label={t("byOperator")}>
			<title>{t("byOperator")}</title>
			<path d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 1 0-4 0z" fill="currentColor" />
		</svg>
	);
}

export function OperatorNote({ note, field }: { note: string | undefined; field: string }) {
	if (!note) return null;
	return (
		<small class="operator-note" data-testid={`operator-limit-${field}`}>
			<Lock /> {note}
		</small>
	);
}
