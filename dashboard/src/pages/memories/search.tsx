/** A search over one entity's memories, as chat memory searches them: ranked, each with its score, the query's words marked. */

import { useState } from "preact/hooks";
import { Alert, Empty } from "../../components/async";
import { messageOf } from "../../components/format";
import { fmt } from "../../i18n";
import { score } from "../knowledge/format";
import { Highlighted } from "../knowledge/highlight";
import type { Entity, Hit, MemoryApi } from "./api";
import { t } from "./strings";

export function MemorySearch({ api, entity, version }: { api: MemoryApi; entity: Entity; version: number }) {
	const [query, setQuery] = useState("");
	// The version the hits were found at: after a change they are stale, and are cleared rather than shown.
	const [result, setResult] = useState<{ query: string; hits: Hit[]; version: number } | null>(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async (e: Event) => {
		e.preventDefault();
		const asked = query.trim();
		if (asked === "") return;
		setBusy(true);
		setError(null);
		try {
			setResult({ query: asked, hits: await api.search(entity, asked), version });
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};
	const shown = result?.version === version ? result : null;
	return (
		<div class="stack">
			<form class="row" style={{ alignItems: "flex-end" }} onSubmit={(e) => void submit(e)}>
				<label style={{ flex: "1 1 20rem" }}>
					{t("searchLabel")}
					<input
						type="search"
						name="query"
						data-testid="mem-search-input"
						value={query}
						placeholder={t("searchPlaceholder")}
						onInput={(e) => setQuery(e.currentTarget.value)}
					/>
				</label>
				<button type="submit" data-testid="mem-search" disabled={busy || query.trim() === ""}>
					{busy ? t("searching") : t("search")}
				</button>
			</form>
			{error && <Alert testid="mem-search-error">{error}</Alert>}
			{shown && shown.hits.length === 0 && <Empty>{t("noHits")}</Empty>}
			{shown && shown.hits.length > 0 && (
				<ol class="hits" data-testid="mem-hits">
					{shown.hits.map((hit, i) => (
						<li key={hit.id} class="card hit" data-testid="mem-hit">
							<div class="row spread">
								<span class="muted">{t("rank", { n: fmt.int(i + 1) })}</span>
								<span class="badge" data-testid="mem-hit-score">
									{t("score", { score: score(hit.score) })}
								</span>
							</div>
							<p class="hit-text" data-testid="mem-hit-text">
								<Highlighted text={hit.memory} query={shown.query} />
							</p>
						</li>
					))}
				</ol>
			)}
		</div>
	);
}
