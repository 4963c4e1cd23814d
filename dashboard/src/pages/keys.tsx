/** Placeholder until the page is written. */
export function KeysPage() {
	return <p class="state empty">…</p>;
}
