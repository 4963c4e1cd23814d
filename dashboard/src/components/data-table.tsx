/** The dashboard's one table: columns declared as data, rows that may open something, an empty state, sideways scroll. */

import type { ComponentChildren, CSSProperties, HTMLAttributes } from "preact";
import { Empty } from "./async";

export interface Column<T> {
	/** Tells the columns apart (a React key). */
	id: string;
	head: ComponentChildren;
	cell: (row: T) => ComponentChildren;
	/** Right-aligned, with figures of one width. */
	num?: boolean;
	/** Classes of every cell of the column, e.g. "mono" or "muted". */
	class?: string;
	style?: CSSProperties;
	/** A cell's tooltip. */
	title?: (row: T) => string | undefined;
}

export interface DataTableProps<T> {
	rows: T[];
	/** `false` leaves a column out (e.g. one only the operator sees). */
	columns: (Column<T> | false)[];
	rowKey: (row: T) => string | number;
	rowTestId?: (row: T) => string;
	rowTitle?: (row: T) => string;
	/** Makes each row a button (click, Enter or Space). */
	onRowClick?: (row: T) => void;
	/** What stands instead of an empty table; the default says there is nothing yet. */
	empty?: ComponentChildren;
	testid?: string;
}

export function DataTable<T>({ rows, columns, rowKey, rowTestId, rowTitle, onRowClick, empty, testid }: DataTableProps<T>) {
	if (rows.length === 0) return <Empty>{empty}</Empty>;
	const shown = columns.filter((c): c is Column<T> => c !== false);
	return (
		<div class="table-wrap">
			<table data-testid={testid}>
				<thead>
					<tr>
						{shown.map((c) => (
							<th key={c.id} class={c.num ? "num" : undefined}>
								{c.head}
							</th>
						))}
					</tr>
				</thead>
				<tbody>
					{rows.map((row) => (
						<tr key={rowKey(row)} data-testid={rowTestId?.(row)} title={rowTitle?.(row)} {...(onRowClick ? clickable(() => onRowClick(row)) : {})}>
							{shown.map((c) => (
								<td key={c.id} class={cellClass(c)} style={c.style} title={c.title?.(row)}>
									{c.cell(row)}
								</td>
							))}
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

const cellClass = <T,>(c: Column<T>) => [c.num ? "num" : "", c.class ?? ""].join(" ").trim() || undefined;

/** A row that acts as a button, by mouse and by keyboard. */
function clickable(open: () => void): HTMLAttributes<HTMLTableRowElement> {
	return {
		class: "clickable",
		tabIndex: 0,
		onClick: open,
		onKeyDown: (e) => {
			if (e.key === "Enter" || e.key === " ") {
				e.preventDefault();
				open();
			}
		},
	};
}
