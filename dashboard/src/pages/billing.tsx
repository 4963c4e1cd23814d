/** Placeholder until the page is written. */
export function BillingPage() {
	return <p class="state empty">…</p>;
}
