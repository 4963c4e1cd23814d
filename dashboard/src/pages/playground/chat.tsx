/** A conversation with a model through one key: sending a message, streaming the reply in, then looking up its cost. */

import { useEffect, useRef, useState } from "preact/hooks";
import { get, query, request } from "../../api";
import type { Token, UsageRow } from "../../components/api-types";
import { Composer } from "./composer";
import { Conversation, type Message, type Meta } from "./conversation";
import { keepChoice, keptChoice } from "./kept";
import { useKeyModels } from "./models";
import { Settings } from "./settings";
import { type Chunk, readCompletion, type Usage } from "./stream";
import { t } from "./strings";

/** After the stream ends the usage row is written a second or two later; these are the waits between looks. */
const COST_POLL_MS = [1000, 1000, 1000, 1500, 2000, 3000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let nextId = 1;

/** The list when the key's could not be read: the model can still be typed. */
const NONE: string[] = [];

export function Chat({ keys, hidden }: { keys: Token[]; hidden: number }) {
	const [kept] = useState(keptChoice);
	const [tokenId, setTokenId] = useState(() => kept?.tokenId ?? String(keys[0]?.id ?? ""));
	const [model, setModel] = useState(kept?.model ?? "");
	const [typed, setTyped] = useState(kept?.typed ?? false);
	const keyModels = useKeyModels(tokenId);
	const models = keyModels.loading ? undefined : (keyModels.data ?? NONE);
	const [system, setSystem] = useState("");
	const [input, setInput] = useState("");
	const [messages, setMessages] = useState<Message[]>([]);
	const [streaming, setStreaming] = useState(false);
	const [formError, setFormError] = useState<string | null>(null);
	const abortRef = useRef<AbortController | null>(null);
	const mounted = useRef(true);
	const endRef = useRef<HTMLDivElement>(null);

	// A revoked key drops out of the list: fall back to the first one.
	useEffect(() => {
		if (!keys.some((k) => String(k.id) === tokenId)) setTokenId(String(keys[0]?.id ?? ""));
	}, [keys, tokenId]);

	// A key's list that lacks the model picked for another key: its first model instead (one typed in stays).
	useEffect(() => {
		if (models && !typed && !models.includes(model)) setModel(models[0] ?? "");
	}, [models, model, typed]);

	useEffect(() => keepChoice({ tokenId, model, typed }), [tokenId, model, typed]);

	useEffect(() => {
		mounted.current = true;
		return () => {
			mounted.current = false;
			abortRef.current?.abort();
		};
	}, []);

	const update = (id: number, fn: (m: Message) => Message) => {
		if (mounted.current) setMessages((ms) => ms.map((m) => (m.id === id ? fn(m) : m)));
	};

	const setMeta = (id: number, fn: (meta: Meta) => Meta) => update(id, (m) => (m.meta ? { ...m, meta: fn(m.meta) } : m));

	// The usage row is written a second or two after the stream ends. The page of this key's recent rows answers 200
	// while it is not there yet (GET /api/usage/{request_id} would answer 404, which the browser logs as an error).
	const pollCost = async (replyId: number, key: string, requestId: string) => {
		for (const wait of COST_POLL_MS) {
			await sleep(wait);
			if (!mounted.current) return;
			try {
				const page = await get<{ data: UsageRow[] }>(`/api/usage${query({ token_id: key, limit: 50 })}`);
				const row = page.data.find((r) => r.request_id === requestId);
				if (row) {
					setMeta(replyId, (meta) => ({ ...meta, cost: { state: "done", usd: row.cost_usd } }));
					return;
				}
			} catch {
				break;
			}
		}
		setMeta(replyId, (meta) => ({ ...meta, cost: { state: "missing" } }));
	};

	const send = async () => {
		const text = input.trim();
		const key = tokenId;
		if (!text || streaming || !key) return;
		if (!model.trim()) {
			setFormError(t("noModel"));
			return;
		}
		setFormError(null);
		const history = messages.filter((m) => !m.error && m.content).map((m) => ({ role: m.role, content: m.content }));
		const replyId = nextId++;
		setMessages((ms) => [...ms, { id: nextId++, role: "user", content: text }, { id: replyId, role: "assistant", content: "", streaming: true }]);
		setInput("");
		setStreaming(true);
		const controller = new AbortController();
		abortRef.current = controller;
		requestAnimationFrame(() => endRef.current?.scrollIntoView({ behavior: "smooth", block: "nearest" }));

		const started = performance.now();
		let ttft: number | null = null;
		let usage: Usage | null = null;
		let requestId: string | null = null;
		let error: string | null = null;

		const take = (chunk: Chunk) => {
			if (chunk.error) error = chunk.error.message ?? t("unknownError");
			if (chunk.usage) usage = chunk.usage;
			const choice = chunk.choices?.[0];
			return choice?.delta?.content ?? choice?.message?.content ?? "";
		};
		const append = (piece: string) => {
			if (!piece) return;
			if (ttft === null) ttft = performance.now() - started;
			update(replyId, (m) => ({ ...m, content: m.content + piece }));
		};

		try {
			const body = {
				model: model.trim(),
				messages: [...(system.trim() ? [{ role: "system", content: system.trim() }] : []), ...history, { role: "user", content: text }],
				stream: true,
				stream_options: { include_usage: true },
			};
			const res = await request("POST", `/api/playground/chat/completions${query({ token_id: key })}`, body, { signal: controller.signal });
			requestId = res.headers.get("x-request-id");
			await readCompletion(res, take, append);
		} catch (err) {
			if (!controller.signal.aborted) error = (err as Error).message || t("unknownError");
		} finally {
			abortRef.current = null;
			if (mounted.current) setStreaming(false);
		}

		const stopped = controller.signal.aborted;
		const meta: Meta = {
			usage,
			latencyMs: performance.now() - started,
			ttftMs: ttft,
			requestId,
			cost: requestId ? { state: "pending" } : { state: "none" },
			stopped,
		};
		update(replyId, (m) => ({ ...m, streaming: false, ...(error === null ? {} : { error }), meta }));
		if (requestId) void pollCost(replyId, key, requestId);
	};

	return (
		<div class="stack">
			<Settings
				keys={keys}
				hidden={hidden}
				models={models}
				tokenId={tokenId}
				onTokenId={setTokenId}
				model={model}
				typed={typed}
				onModel={(m, isTyped) => {
					setModel(m);
					setTyped(isTyped);
				}}
				system={system}
				onSystem={setSystem}
			/>
			<Conversation messages={messages} endRef={endRef} />
			<Composer
				input={input}
				onInput={setInput}
				error={formError}
				streaming={streaming}
				empty={messages.length === 0}
				onSend={() => void send()}
				onStop={() => abortRef.current?.abort()}
				onClear={() => setMessages([])}
			/>
		</div>
	);
}
