/** The conversations on the left: newest first, each with its title, turns and last activity, a search's passage under it. */

import type { Paged } from "../../components/hooks";
import { fmt } from "../../i18n";
import { Highlighted } from "../knowledge/highlight";
import type { ConversationSummary } from "./api";
import { t } from "./strings";

export function ConversationList({
	paged,
	query,
	openId,
	onOpen,
}: {
	paged: Paged<ConversationSummary>;
	/** The search the list answers, whose words are marked. */
	query: string;
	openId: string | null;
	onOpen: (id: string) => void;
}) {
	return (
		<div class="stack">
			<ul class="conversations" data-testid="chat-list">
				{paged.rows.map((c) => (
					<li key={c.id}>
						<button
							type="button"
							class={`conversation${c.id === openId ? " open" : ""}`}
							aria-current={c.id === openId ? "true" : undefined}
							data-testid="chat-conv"
							onClick={() => onOpen(c.id)}
						>
							<strong data-testid="chat-conv-name" translate={false}>
								{c.name ?? t("untitled")}
							</strong>
							{c.snippet && (
								<span class="snippet" data-testid="chat-conv-snippet" translate={false}>
									<Highlighted text={c.snippet} query={query} />
								</span>
							)}
							<span class="muted">
								{c.turns === 1 ? t("oneTurn") : t("turns", { n: fmt.int(c.turns) })} · {fmt.time(c.updated_at)}
							</span>
						</button>
					</li>
				))}
			</ul>
			{paged.next && (
				<button type="button" class="secondary" disabled={paged.busy} onClick={() => void paged.loadMore()}>
					{t("more")}
				</button>
			)}
		</div>
	);
}
