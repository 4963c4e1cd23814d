/** A page's heading, with a line under it saying what the page is for, and the page's buttons beside it. */

import type { ComponentChildren } from "preact";

export function PageTitle({ title, subtitle, children }: { title: string; subtitle?: string; children?: ComponentChildren }) {
	return (
		<div class="row spread">
			{subtitle ? (
				<div>
					<h1 style={{ marginBottom: "0.25rem" }}>{title}</h1>
					<p class="muted" style={{ margin: 0 }}>
						{subtitle}
					</p>
				</div>
			) : (
				<h1 style={{ margin: 0 }}>{title}</h1>
			)}
			{children && <div class="row">{children}</div>}
		</div>
	);
}
