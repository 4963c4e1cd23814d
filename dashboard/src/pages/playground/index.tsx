/** The playground page: chat with a model through one of one's keys, as /v1/chat/completions would answer. */

import { get } from "../../api";
import type { Token } from "../../components/api-types";
import { Async, Empty, useLoad } from "../../components/async";
import { PageTitle } from "../../components/page-title";
import { Chat } from "./chat";
import { t } from "./strings";

const usable = (k: Token) => k.app_id === null && k.status === "active" && (k.expires_at === null || Date.parse(k.expires_at) > Date.now());

export function PlaygroundPage() {
	const tokens = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data), []);
	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")} />
			<Async load={tokens}>
				{(all) => {
					const keys = all.filter(usable);
					if (keys.length === 0) {
						return (
							<Empty>
								{t("noKeys")} <a href="/keys">{t("createKey")}</a>
							</Empty>
						);
					}
					return <Chat keys={keys} hidden={all.length - keys.length} />;
				}}
			</Async>
		</div>
	);
}
