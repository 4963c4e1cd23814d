/** A short list of model names: the first three as code, then a count of the rest; all of them in the tooltip. */
export function ModelList({ models, more }: { models: string[]; more: (n: number) => string }) {
	const shown = models.slice(0, 3);
	return (
		<span title={models.join(", ")}>
			{shown.map((m, i) => (
				<span key={m}>
					{i > 0 && " "}
					<code>{m}</code>
				</span>
			))}
			{models.length > shown.length && <span class="muted"> {more(models.length - shown.length)}</span>}
		</span>
	);
}
