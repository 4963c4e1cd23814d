/** A store's search box, and its ranked hits: file, score, attributes and the text with the query's words marked. */

import { useState } from "preact/hooks";
import { Alert, Empty } from "../../components/async";
import { messageOf } from "../../components/format";
import { fmt } from "../../i18n";
import type { KnowledgeApi, SearchHit } from "./api";
import { AttributeList } from "./files";
import { score } from "./format";
import { Highlighted } from "./highlight";
import { t } from "./strings";

export function StoreSearch({ api, storeId }: { api: KnowledgeApi; storeId: string }) {
	const [query, setQuery] = useState("");
	const [result, setResult] = useState<{ query: string; hits: SearchHit[] } | null>(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const submit = async (e: Event) => {
		e.preventDefault();
		const asked = query.trim();
		if (asked === "") return;
		setBusy(true);
		setError(null);
		try {
			setResult({ query: asked, hits: await api.search(storeId, asked) });
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};
	return (
		<div class="stack">
			<form class="row" style={{ alignItems: "flex-end" }} onSubmit={(e) => void submit(e)}>
				<label style={{ flex: "1 1 20rem" }}>
					{t("searchLabel")}
					<input
						type="search"
						name="query"
						data-testid="kn-search-input"
						value={query}
						placeholder={t("searchPlaceholder")}
						maxLength={4096}
						onInput={(e) => setQuery(e.currentTarget.value)}
					/>
				</label>
				<button type="submit" data-testid="kn-search" disabled={busy || query.trim() === ""}>
					{busy ? t("searching") : t("search")}
				</button>
			</form>
			{error && <Alert testid="kn-search-error">{error}</Alert>}
			{result && result.hits.length === 0 && <Empty>{t("noHits")}</Empty>}
			{result && result.hits.length > 0 && (
				<ol class="hits" data-testid="kn-hits">
					{result.hits.map((hit, i) => (
						<li key={`${hit.file_id}-${i}`} class="card hit" data-testid="kn-hit">
							<div class="row spread">
								<span>
									<span class="muted">{t("rank", { n: fmt.int(i + 1) })}</span> <strong data-testid="kn-hit-file">{hit.filename}</strong>
								</span>
								<span class="row" style={{ gap: "0.5rem" }}>
									{hit.attributes && Object.keys(hit.attributes).length > 0 && <AttributeList attributes={hit.attributes} />}
									<span class="badge" data-testid="kn-hit-score">
										{t("score", { score: score(hit.score) })}
									</span>
								</span>
							</div>
							{hit.content.map((part, j) => (
								<p key={j} class="hit-text" data-testid="kn-hit-text">
									<Highlighted text={part.text} query={result.query} />
								</p>
							))}
						</li>
					))}
				</ol>
			)}
		</div>
	);
}
