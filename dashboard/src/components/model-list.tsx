/**
 * A short list of model names: the first three as code, then a count of the rest; all of them in the tooltip.
 * Models in `flagged` (e.g. those without a price) come first, so that the marker is never hidden behind the count.
 */
export function ModelList({
	models,
	more,
	flagged = [],
	flagTitle,
}: {
	models: string[];
	more: (n: number) => string;
	flagged?: string[];
	flagTitle?: string;
}) {
	const marked = new Set(flagged);
	const ordered = [...models.filter((m) => marked.has(m)), ...models.filter((m) => !marked.has(m))];
	const shown = ordered.slice(0, 3);
	return (
		<span title={models.join(", ")}>
			{shown.map((m, i) => (
				<span key={m}>
					{i > 0 && " "}
					<span class="nowrap">
						<code>{m}</code>
						{marked.has(m) && (
							<span class="operator-note" title={flagTitle} data-flagged={m}>
								{" ⚠"}
							</span>
						)}
					</span>
				</span>
			))}
			{models.length > shown.length && <span class="muted"> {more(models.length - shown.length)}</span>}
		</span>
	);
}
