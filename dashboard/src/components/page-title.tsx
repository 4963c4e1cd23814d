/** A page's heading with a line under it saying what the page is for. */
export function PageTitle({ title, subtitle }: { title: string; subtitle: string }) {
	return (
		<div>
			<h1 style={{ marginBottom: "0.25rem" }}>{title}</h1>
			<p class="muted" style={{ margin: 0 }}>
				{subtitle}
			</p>
		</div>
	);
}
