/** The card that shows a new key's secret (a new key's, or a rotated one's), the only time it is shown, and how to use it. */

import { useEffect, useRef } from "preact/hooks";
import { CopyButton } from "../../components/copy-button";
import { fmt } from "../../i18n";
import type { CreatedToken } from "./form";
import { t } from "./strings";

export function CreatedKey({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
	const createdRef = useRef<HTMLDivElement>(null);

	useEffect(() => {
		createdRef.current?.scrollIntoView({ behavior: "smooth", block: "nearest" });
	}, [created]);

	return (
		<div class="card stack" ref={createdRef} role="status" aria-live="polite">
			<strong>{t(created.previous_key_expires_at ? "rotatedTitle" : "createdTitle", { name: created.name })}</strong>
			<div class="row" style={{ flexWrap: "nowrap", alignItems: "flex-start" }}>
				<code data-testid="key-created" style={{ flex: 1, padding: "0.4rem 0.5rem" }}>
					{created.key}
				</code>
				<CopyButton text={created.key} />
			</div>
			<p style={{ margin: 0 }}>
				<span class="badge warn">!</span> <strong>{t("createdWarning")}</strong>
			</p>
			{created.previous_key_expires_at && (
				<p style={{ margin: 0 }} data-testid="key-rotated-hint">
					{t("rotatedHint", { time: fmt.time(created.previous_key_expires_at) })}
				</p>
			)}
			<p class="muted" style={{ margin: 0 }}>
				{t("createdHint", { url: `${location.origin}/v1` })}
			</p>
			<div>
				<button type="button" class="secondary" onClick={onDone}>
					{t("done")}
				</button>
			</div>
		</div>
	);
}
