/** The pieces billing's sections are built of: a titled card, a form's message and a "load more" row. */

import type { ComponentChildren } from "preact";
import { ErrorBox } from "../../components/async";
import type { Paged } from "../../components/hooks";
import { t } from "./strings";
import type { Message } from "./submit";

export function Section({ title, hint, children, testid }: { title: string; hint?: string; children: ComponentChildren; testid: string }) {
	return (
		<section class="card stack" data-testid={testid}>
			<h2 style={{ margin: 0 }}>{title}</h2>
			{hint && (
				<p class="muted" style={{ margin: 0 }}>
					{hint}
				</p>
			)}
			{children}
		</section>
	);
}

export function Notice({ msg, testid }: { msg: Message; testid: string }) {
	if (!msg) return null;
	return msg.ok ? (
		<p role="status" data-testid={testid} style={{ color: "var(--ok)", margin: 0 }}>
			{msg.text}
		</p>
	) : (
		<div class="state error" role="alert" data-testid={testid}>
			{msg.text}
		</div>
	);
}

export function MoreButton<T>({ paged, testid }: { paged: Paged<T>; testid: string }) {
	return (
		<>
			<div class="row" style={{ justifyContent: "flex-end" }}>
				{paged.next ? (
					<button type="button" class="secondary" onClick={paged.loadMore} disabled={paged.busy} data-testid={testid}>
						{paged.busy ? t("loadingMore") : t("loadMore")}
					</button>
				) : (
					<span class="muted">{t("end")}</span>
				)}
			</div>
			{paged.error && <ErrorBox error={paged.error} retry={paged.loadMore} />}
		</>
	);
}
