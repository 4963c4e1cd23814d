/** A request's HTTP status as a badge: green below 400, amber for 429, red otherwise. */
export function StatusBadge({ status }: { status: number }) {
	const kind = status < 400 ? "ok" : status === 429 ? "warn" : "error";
	return <span class={`badge ${kind}`}>{status}</span>;
}
