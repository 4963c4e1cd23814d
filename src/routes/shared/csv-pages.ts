/** One page of a keyset-paged read: its rows, and where the next page starts (undefined: this was the last). */
export interface Page<Row, Cursor> {
	rows: Row[];
	next: Cursor | undefined;
}

/**
 * A CSV export of every matching row, a page at a time: each page is read only when the client has taken the one
 * before (pull), so an export of any size holds one page in memory and stops reading D1 if the client goes away.
 * The first page is read by the caller before answering, so that a failing query is still a proper error response.
 */
export function csvPages<Row, Cursor>(
	header: string,
	first: Page<Row, Cursor>,
	nextPage: (cursor: Cursor) => Promise<Page<Row, Cursor>>,
	lines: (rows: Row[]) => string,
	route: string,
): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let next = first.next;
	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(header + lines(first.rows)));
			if (next === undefined) controller.close();
		},
		async pull(controller) {
			if (next === undefined) return;
			try {
				const page = await nextPage(next);
				next = page.next;
				if (page.rows.length > 0) controller.enqueue(encoder.encode(lines(page.rows)));
				if (next === undefined) controller.close();
			} catch (err) {
				// The 200 and the first rows are gone already: all that is left is to cut the body short, which
				// the client sees as a failed download rather than a complete-looking file.
				console.error(JSON.stringify({ level: "error", route, error: String(err) }));
				controller.error(new Error(`${route} failed`));
			}
		},
	});
}
