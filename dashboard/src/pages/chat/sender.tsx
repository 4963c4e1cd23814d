/**
 * Sending a message as one of the user's keys, as /v1/responses takes it (`conversation`, `stream`), and showing the
 * answer as it streams in. The stored turn replaces it in the thread once the conversation is read again.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { query, request } from "../../api";
import type { Token } from "../../components/api-types";
import { Alert } from "../../components/async";
import { messageOf } from "../../components/format";
import { useKeyModels } from "../playground/models";
import { chatApi } from "./api";
import { readResponse, type Usage } from "./stream";
import { t } from "./strings";
import { turnLine } from "./thread";

export interface Pending {
	n: number;
	conversationId: string;
	question: string;
	answer: string;
	streaming: boolean;
	model: string;
	responseId: string | null;
	usage: Usage | null;
	error: string | null;
}

let counter = 0;

export function Sender({
	keys,
	conversationId,
	keyId: preferredKey,
	model: preferredModel,
	pending,
	onPending,
	onStarted,
	onAnswered,
}: {
	keys: Token[];
	/** The open conversation; null starts a new one with the first message. */
	conversationId: string | null;
	keyId: number | null;
	model: string | null;
	pending: Pending[];
	onPending: (update: (all: Pending[]) => Pending[]) => void;
	onStarted: (id: string) => void;
	/** The answer ended: `responseId` names the turn it is stored as, if the stream said. */
	onAnswered: (conversationId: string, responseId: string | null) => void;
}) {
	const [keyId, setKeyId] = useState(String(preferredKey ?? keys[0]?.id ?? ""));
	const models = useKeyModels(keyId);
	const [model, setModel] = useState(preferredModel ?? "");
	const [input, setInput] = useState("");
	const [error, setError] = useState<string | null>(null);
	const abortRef = useRef<AbortController | null>(null);
	const streaming = pending.some((p) => p.streaming);

	useEffect(() => {
		if (preferredKey !== null) setKeyId(String(preferredKey));
	}, [preferredKey]);
	useEffect(() => {
		const list = models.data;
		if (preferredModel && (!list || list.includes(preferredModel))) setModel(preferredModel);
		else if (list && !list.includes(model)) setModel(list[0] ?? "");
	}, [models.data, preferredModel]);
	useEffect(() => () => abortRef.current?.abort(), []);

	const update = (n: number, fn: (p: Pending) => Pending) => onPending((all) => all.map((p) => (p.n === n ? fn(p) : p)));

	const send = async (e: Event) => {
		e.preventDefault();
		const text = input.trim();
		if (!text || streaming || !keyId) return;
		if (!model) {
			setError(t("noModel"));
			return;
		}
		setError(null);
		let id = conversationId;
		try {
			if (id === null) {
				id = (await chatApi.start(Number(keyId))).id;
				onStarted(id);
			}
		} catch (err) {
			setError(messageOf(err));
			return;
		}
		const n = ++counter;
		onPending((all) => [...all, { n, conversationId: id, question: text, answer: "", streaming: true, model, responseId: null, usage: null, error: null }]);
		setInput("");
		const controller = new AbortController();
		abortRef.current = controller;
		try {
			const body = { model, input: text, conversation: id, stream: true, store: true };
			const res = await request("POST", `/api/playground/responses${query({ token_id: keyId })}`, body, { signal: controller.signal });
			const outcome = await readResponse(res, (piece) => update(n, (p) => ({ ...p, answer: p.answer + piece })));
			update(n, (p) => ({ ...p, ...outcome, streaming: false }));
			onAnswered(id, outcome.responseId);
		} catch (err) {
			const stopped = controller.signal.aborted;
			update(n, (p) => ({ ...p, streaming: false, error: stopped ? t("stopped") : messageOf(err) }));
		} finally {
			abortRef.current = null;
		}
	};

	return (
		<>
			{pending.map((p) => (
				<div class="stack turn" key={p.n} data-testid="chat-pending">
					<div class="message user" data-testid="chat-user" translate={false}>
						{p.question}
					</div>
					{(p.answer || p.streaming) && (
						<div class="message assistant" data-testid="chat-streamed" aria-busy={p.streaming ? "true" : "false"} translate={false}>
							{p.answer}
							{p.streaming && !p.answer && <span class="spinner" aria-hidden="true" />}
						</div>
					)}
					{p.usage && (
						<span class="meta muted" data-testid="chat-streamed-meta">
							{turnLine({ model: p.model, input_tokens: p.usage.input_tokens ?? 0, output_tokens: p.usage.output_tokens ?? 0 })}
						</span>
					)}
					{p.error && <Alert testid="chat-send-error">{p.error}</Alert>}
				</div>
			))}
			<form class="card stack" onSubmit={(e) => void send(e)}>
				<div class="form-grid">
					<label>
						{t("key")}
						<select data-testid="chat-key" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
							{keys.map((k) => (
								<option key={k.id} value={String(k.id)}>
									{k.name} ({k.key_prefix})
								</option>
							))}
						</select>
					</label>
					<label>
						{t("model")}
						<select data-testid="chat-model" value={model} disabled={models.data === undefined} onChange={(e) => setModel(e.currentTarget.value)}>
							{model && !models.data?.includes(model) && <option value={model}>{model}</option>}
							{models.data?.map((m) => (
								<option key={m} value={m}>
									{m}
								</option>
							))}
						</select>
					</label>
				</div>
				<label>
					<span class="muted">{t("message")}</span>
					<textarea
						data-testid="chat-input"
						rows={3}
						value={input}
						placeholder={t("messagePlaceholder")}
						onInput={(e) => setInput(e.currentTarget.value)}
						onKeyDown={(e) => {
							// Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition is neither.
							if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
								e.preventDefault();
								e.currentTarget.form?.requestSubmit();
							}
						}}
					/>
				</label>
				{error && <Alert testid="chat-form-error">{error}</Alert>}
				<div class="row" style={{ justifyContent: "flex-end" }}>
					{streaming ? (
						<button type="button" class="danger" data-testid="chat-stop" onClick={() => abortRef.current?.abort()}>
							{t("stop")}
						</button>
					) : (
						<button type="submit" data-testid="chat-send" disabled={!input.trim()}>
							{t("send")}
						</button>
					)}
				</div>
			</form>
		</>
	);
}
