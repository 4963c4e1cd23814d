/** Placeholder until the page is written. */
export function UsagePage() {
	return <p class="state empty">…</p>;
}
