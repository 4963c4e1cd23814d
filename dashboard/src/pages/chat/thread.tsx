/** A conversation's thread: its messages and tool calls by turn, each turn with its tokens, cost, citations and feedback. */

import { useState } from "preact/hooks";
import { fmt } from "../../i18n";
import { score } from "../knowledge/format";
import { type Item, type Rating, type Source, type Thread, type Turn, textOf } from "./api";
import { t } from "./strings";

export function ThreadView({ thread, busyTurn, onRate }: { thread: Thread; busyTurn: string | null; onRate: (turn: Turn, rating: Rating | null) => void }) {
	if (thread.parts.length === 0) return <p class="state empty">{t("noMessages")}</p>;
	return (
		<div class="messages" data-testid="chat-thread">
			{thread.parts.map((part, i) => (
				<div class="stack turn" key={part.turn?.id ?? `part-${i}`} data-testid="chat-turn">
					{part.items.map((item) => (
						<ItemView key={item.id} item={item} />
					))}
					{part.turn && <TurnFooter turn={part.turn} busy={busyTurn === part.turn.id} onRate={onRate} />}
				</div>
			))}
		</div>
	);
}

export function ItemView({ item }: { item: Item }) {
	if (item.type === "message") {
		const user = item.role === "user";
		return (
			<div class={`message ${user ? "user" : "assistant"}`} data-testid={user ? "chat-user" : "chat-assistant"} translate={false}>
				{textOf(item)}
			</div>
		);
	}
	if (item.type === "function_call") {
		return (
			<div class="tool-call" data-testid="chat-tool-call">
				<span class="badge">{t("toolCall")}</span> <code>{item.name}</code>
				<pre>{item.arguments}</pre>
			</div>
		);
	}
	if (item.type === "function_call_output") {
		return (
			<div class="tool-call" data-testid="chat-tool-output">
				<span class="badge">{t("toolResult")}</span>
				<pre>{typeof item.output === "string" ? item.output : JSON.stringify(item.output, null, 2)}</pre>
			</div>
		);
	}
	return (
		<div class="muted" data-testid="chat-other-item">
			{t("otherItem", { type: item.type })}
		</div>
	);
}

/** The numbers a turn took, as one line under its answer. */
export function turnLine(turn: Pick<Turn, "model" | "input_tokens" | "output_tokens"> & Partial<Pick<Turn, "cost_usd" | "latency_ms">>): string {
	const parts = [turn.model, t("tokens", { input: fmt.int(turn.input_tokens), output: fmt.int(turn.output_tokens) })];
	if (turn.cost_usd !== undefined) parts.push(fmt.usd(turn.cost_usd));
	if (turn.latency_ms !== undefined) parts.push(fmt.ms(turn.latency_ms));
	return parts.join(" · ");
}

function TurnFooter({ turn, busy, onRate }: { turn: Turn; busy: boolean; onRate: (turn: Turn, rating: Rating | null) => void }) {
	const [open, setOpen] = useState<number | null>(null);
	const rating = turn.feedback.rating;
	const rate = (r: Rating) => onRate(turn, rating === r ? null : r);
	const shown = open === null ? undefined : turn.sources[open];
	return (
		<div class="stack turn-footer">
			<div class="row spread">
				<span class="meta muted" data-testid="chat-turn-meta">
					{turnLine(turn)}
					{turn.status !== "completed" && ` · ${turn.status}`}
				</span>
				<span class="row">
					<button
						type="button"
						class={rating === "like" ? "" : "secondary"}
						aria-pressed={rating === "like"}
						disabled={busy}
						data-testid="chat-like"
						onClick={() => rate("like")}
					>
						{t("like")}
					</button>
					<button
						type="button"
						class={rating === "dislike" ? "" : "secondary"}
						aria-pressed={rating === "dislike"}
						disabled={busy}
						data-testid="chat-dislike"
						onClick={() => rate("dislike")}
					>
						{t("dislike")}
					</button>
				</span>
			</div>
			{turn.sources.length > 0 && (
				<div class="row citations">
					<span class="muted">{t("citations")}</span>
					{turn.sources.map((s, i) => (
						<button
							type="button"
							class={open === i ? "" : "secondary"}
							aria-expanded={open === i}
							key={`${s.position ?? i}-${s.document_name ?? ""}`}
							data-testid="chat-citation"
							onClick={() => setOpen(open === i ? null : i)}
						>
							[{s.position ?? i + 1}] {s.document_name ?? t("source")}
						</button>
					))}
				</div>
			)}
			{shown && <SourceChunk source={shown} />}
		</div>
	);
}

function SourceChunk({ source }: { source: Source }) {
	return (
		<div class="card hit" data-testid="chat-citation-content">
			<div class="row spread">
				<span class="muted" translate={false}>
					{[source.dataset_name, source.document_name].filter(Boolean).join(" · ")}
				</span>
				{source.score !== undefined && <span class="badge">{t("score", { score: score(source.score) })}</span>}
			</div>
			<p class="hit-text" translate={false}>
				{source.content ?? ""}
			</p>
		</div>
	);
}
