/** Placeholder until the page is written. */
export function ChannelsPage() {
	return <p class="state empty">…</p>;
}
