/** A cursor-paged list as a table: its first page's states, the rows loaded so far, and "load more" under them. */

import { fmt, translator } from "../i18n";
import { Async, ErrorBox } from "./async";
import { DataTable, type DataTableProps } from "./data-table";
import type { Paged } from "./hooks";

const t = translator({
	en: { more: "Load more", loading: "Loading…", end: "End of the list.", shown: "{n} shown" },
	zh: { more: "加载更多", loading: "加载中…", end: "已到末尾。", shown: "已显示 {n} 条" },
});

export function PagedTable<T>({
	paged,
	moreTestId,
	counted = false,
	...table
}: {
	paged: Paged<T>;
	moreTestId: string;
	/** Says how many rows are shown, beside "load more". */
	counted?: boolean;
} & Omit<DataTableProps<T>, "rows">) {
	return (
		<Async load={paged.first}>
			{() => (
				<>
					<DataTable rows={paged.rows} {...table} />
					{paged.rows.length > 0 && <More paged={paged} testid={moreTestId} counted={counted} />}
				</>
			)}
		</Async>
	);
}

function More<T>({ paged, testid, counted }: { paged: Paged<T>; testid: string; counted: boolean }) {
	return (
		<>
			<div class="row" style={{ justifyContent: counted ? "space-between" : "flex-end" }}>
				{counted && <span class="muted">{t("shown", { n: fmt.int(paged.rows.length) })}</span>}
				{paged.next ? (
					<button type="button" class="secondary" onClick={paged.loadMore} disabled={paged.busy} data-testid={testid}>
						{paged.busy ? t("loading") : t("more")}
					</button>
				) : (
					<span class="muted">{t("end")}</span>
				)}
			</div>
			{paged.error && <ErrorBox error={paged.error} retry={paged.loadMore} />}
		</>
	);
}
