/** Placeholder until the page is written. */
export function OverviewPage() {
	return <p class="state empty">…</p>;
}
