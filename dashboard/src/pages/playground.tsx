/** Placeholder until the page is written. */
export function PlaygroundPage() {
	return <p class="state empty">…</p>;
}
