/** The conversation: its messages, each reply with a line of tokens, timings and cost under it. */

import type { RefObject } from "preact";
import { fmt } from "../../i18n";
import type { Usage } from "./stream";
import { t } from "./strings";

export interface Meta {
	usage: Usage | null;
	latencyMs: number;
	ttftMs: number | null;
	requestId: string | null;
	cost: { state: "pending" } | { state: "done"; usd: number } | { state: "missing" } | { state: "none" };
	stopped: boolean;
}

export interface Message {
	id: number;
	role: "user" | "assistant";
	content: string;
	streaming?: boolean;
	error?: string;
	meta?: Meta;
}

export function Conversation({ messages, endRef }: { messages: Message[]; endRef: RefObject<HTMLDivElement | null> }) {
	return (
		<div class="card">
			{messages.length === 0 ? (
				<p class="state empty" style={{ margin: 0 }}>
					{t("empty")}
				</p>
			) : (
				<div class="messages" aria-live="polite">
					{messages.map((m) => (
						<MessageView key={m.id} message={m} />
					))}
				</div>
			)}
			<div ref={endRef} />
		</div>
	);
}

function MessageView({ message: m }: { message: Message }) {
	if (m.role === "user") {
		return (
			<div class="message user" data-testid="pg-user">
				{m.content}
			</div>
		);
	}
	if (m.error && !m.content) {
		return (
			<div class="state error" role="alert" data-testid="pg-error">
				<strong>{t("failed")}</strong> {m.error}
			</div>
		);
	}
	return (
		<>
			<div class="message assistant" data-testid="pg-reply" aria-busy={m.streaming ? "true" : "false"}>
				{m.content}
				{m.streaming && !m.content && <span class="spinner" aria-hidden="true" />}
				{m.meta && <MetaLine meta={m.meta} empty={!m.content && !m.error} />}
			</div>
			{m.error && (
				<div class="state error" role="alert" data-testid="pg-error">
					<strong>{t("failed")}</strong> {m.error}
				</div>
			)}
		</>
	);
}

function MetaLine({ meta, empty }: { meta: Meta; empty: boolean }) {
	const parts: string[] = [];
	if (empty) parts.push(t("noReply"));
	if (meta.stopped) parts.push(t("stopped"));
	const u = meta.usage;
	parts.push(
		u && (u.prompt_tokens !== undefined || u.completion_tokens !== undefined)
			? t("tokens", { prompt: fmt.int(u.prompt_tokens ?? 0), completion: fmt.int(u.completion_tokens ?? 0) })
			: t("noUsage"),
	);
	if (meta.ttftMs !== null) parts.push(t("ttft", { ms: fmt.ms(meta.ttftMs) }));
	parts.push(t("latency", { ms: fmt.ms(meta.latencyMs) }));
	if (meta.cost.state === "done") parts.push(fmt.usd(meta.cost.usd));
	else if (meta.cost.state === "pending") parts.push(t("costPending"));
	else if (meta.cost.state === "missing") parts.push(t("costMissing"));
	return (
		<span class="meta" data-testid="pg-meta" title={meta.requestId ?? undefined}>
			{parts.join(" · ")}
		</span>
	);
}
