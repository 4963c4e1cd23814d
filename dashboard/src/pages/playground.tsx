import { useEffect, useRef, useState } from "preact/hooks";
import { get, query, request } from "../api";
import { Async, Empty, useLoad } from "../components/async";
import { fmt, translator } from "../i18n";
import { isAdmin } from "../session";

const t = translator({
	en: {
		title: "Playground",
		subtitle: "Chat with any model through one of your keys, exactly as /v1/chat/completions would.",
		noKeys: "You need an active key to use the playground.",
		createKey: "Create one on the Keys page",
		key: "Key",
		model: "Model",
		system: "System prompt (optional)",
		systemPlaceholder: "You are a helpful assistant.",
		input: "Message",
		inputPlaceholder: "Ask something… (Enter to send, Shift+Enter for a new line)",
		send: "Send",
		stop: "Stop",
		clear: "Clear conversation",
		empty: "Send a message to start the conversation.",
		you: "You",
		assistant: "Assistant",
		tokens: "{prompt} in · {completion} out tokens",
		noUsage: "no usage reported",
		latency: "{ms} total",
		ttft: "first token {ms}",
		costPending: "cost pending…",
		costMissing: "cost not recorded yet",
		stopped: "stopped",
		noReply: "(no content)",
		failed: "The request failed:",
		unknownError: "unknown error",
		noModel: "Choose a model first.",
		disabledHidden: "{n} disabled or expired keys are not listed.",
	},
	zh: {
		title: "试验场",
		subtitle: "通过你的密钥与任意模型对话，效果与调用 /v1/chat/completions 完全一致。",
		noKeys: "使用试验场需要一个可用的密钥。",
		createKey: "前往密钥页面创建",
		key: "密钥",
		model: "模型",
		system: "系统提示词（可选）",
		systemPlaceholder: "你是一个乐于助人的助手。",
		input: "消息",
		inputPlaceholder: "输入内容…（Enter 发送，Shift+Enter 换行）",
		send: "发送",
		stop: "停止",
		clear: "清空对话",
		empty: "发送一条消息开始对话。",
		you: "你",
		assistant: "助手",
		tokens: "输入 {prompt} · 输出 {completion} tokens",
		noUsage: "未返回用量",
		latency: "总耗时 {ms}",
		ttft: "首字 {ms}",
		costPending: "费用计算中…",
		costMissing: "费用尚未记录",
		stopped: "已停止",
		noReply: "（无内容）",
		failed: "请求失败：",
		unknownError: "未知错误",
		noModel: "请先选择模型。",
		disabledHidden: "另有 {n} 个已停用或已过期的密钥未列出。",
	},
});

interface Token {
	id: number;
	name: string;
	key_prefix: string;
	status: "active" | "disabled";
	expires_at: string | null;
}

interface Usage {
	prompt_tokens?: number;
	completion_tokens?: number;
}

interface Chunk {
	choices?: { delta?: { content?: string | null }; message?: { content?: string | null } }[];
	usage?: Usage | null;
	error?: { message?: string; code?: string | null };
}

interface Meta {
	usage: Usage | null;
	latencyMs: number;
	ttftMs: number | null;
	requestId: string | null;
	cost: { state: "pending" } | { state: "done"; usd: number } | { state: "missing" } | { state: "none" };
	stopped: boolean;
}

interface Message {
	id: number;
	role: "user" | "assistant";
	content: string;
	streaming?: boolean;
	error?: string;
	meta?: Meta;
}

/** After the stream ends the usage row is written a second or two later; these are the waits between looks. */
const COST_POLL_MS = [1000, 1000, 1000, 1500, 2000, 3000];

const usable = (k: Token) => k.status === "active" && (k.expires_at === null || Date.parse(k.expires_at) > Date.now());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let nextId = 1;

export function PlaygroundPage() {
	const tokens = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data), []);
	return (
		<div class="stack">
			<div>
				<h1 style={{ marginBottom: "0.25rem" }}>{t("title")}</h1>
				<p class="muted" style={{ margin: 0 }}>
					{t("subtitle")}
				</p>
			</div>
			<Async load={tokens}>
				{(all) => {
					const keys = all.filter(usable);
					if (keys.length === 0) {
						return (
							<Empty>
								{t("noKeys")} <a href="/keys">{t("createKey")}</a>
							</Empty>
						);
					}
					return <Chat keys={keys} hidden={all.length - keys.length} />;
				}}
			</Async>
		</div>
	);
}

function useModels(admin: boolean): string[] {
	const [models, setModels] = useState<string[]>([]);
	useEffect(() => {
		let live = true;
		const sources: Promise<string[]>[] = [get<{ data: { model: string }[] }>("/api/prices").then((r) => r.data.map((p) => p.model))];
		if (admin) sources.push(get<{ data: { models: string[] }[] }>("/api/channels").then((r) => r.data.flatMap((c) => c.models)));
		// Suggestions only: a source that fails just suggests less.
		void Promise.allSettled(sources).then((results) => {
			const names = new Set<string>();
			for (const r of results) if (r.status === "fulfilled") for (const m of r.value) names.add(m);
			if (live) setModels([...names].sort());
		});
		return () => {
			live = false;
		};
	}, [admin]);
	return models;
}

function Chat({ keys, hidden }: { keys: Token[]; hidden: number }) {
	const admin = isAdmin.value;
	const models = useModels(admin);
	const [tokenId, setTokenId] = useState(() => String(keys[0]?.id ?? ""));
	const [model, setModel] = useState("mock-chat");
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
				const page = await get<{ data: { request_id: string; cost_usd: number }[] }>(`/api/usage${query({ token_id: key, limit: 50 })}`);
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
			if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
				// Not a stream after all (a JSON completion): show it whole.
				append(take((await res.json()) as Chunk));
			} else {
				const reader = res.body.getReader();
				const decoder = new TextDecoder();
				let buffer = "";
				const lines = (final: boolean) => {
					let piece = "";
					let nl = buffer.indexOf("\n");
					while (nl >= 0 || (final && buffer)) {
						const line = (nl >= 0 ? buffer.slice(0, nl) : buffer).replace(/\r$/, "");
						buffer = nl >= 0 ? buffer.slice(nl + 1) : "";
						if (line.startsWith("data:")) {
							const data = line.slice(5).trim();
							if (data && data !== "[DONE]") {
								try {
									piece += take(JSON.parse(data) as Chunk);
								} catch {
									// A line that is not JSON is not ours to show.
								}
							}
						}
						nl = buffer.indexOf("\n");
					}
					// One update per network read, however many events it carried.
					append(piece);
				};
				for (;;) {
					const { done, value } = await reader.read();
					if (done) break;
					buffer += decoder.decode(value, { stream: true });
					lines(false);
				}
				buffer += decoder.decode();
				lines(true);
			}
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

	const onKeyDown = (e: KeyboardEvent) => {
		// Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition (Chinese input) is neither.
		if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
			e.preventDefault();
			void send();
		}
	};

	const onSubmit = (e: Event) => {
		e.preventDefault();
		void send();
	};

	return (
		<div class="stack">
			<div class="card stack">
				<div class="form-grid">
					<label>
						{t("key")}
						<select data-testid="pg-key" name="key" value={tokenId} onChange={(e) => setTokenId(e.currentTarget.value)}>
							{keys.map((k) => (
								<option key={k.id} value={String(k.id)}>
									{k.name} ({k.key_prefix})
								</option>
							))}
						</select>
						{hidden > 0 && <small class="muted">{t("disabledHidden", { n: fmt.int(hidden) })}</small>}
					</label>
					<label>
						{t("model")}
						<input
							data-testid="pg-model"
							name="model"
							list="pg-models"
							value={model}
							onInput={(e) => setModel(e.currentTarget.value)}
							autoComplete="off"
							spellcheck={false}
						/>
						<datalist id="pg-models">
							{models.map((m) => (
								<option key={m} value={m} />
							))}
						</datalist>
					</label>
				</div>
				<label>
					{t("system")}
					<textarea
						name="system"
						rows={2}
						style={{ minHeight: "2.5rem" }}
						value={system}
						placeholder={t("systemPlaceholder")}
						onInput={(e) => setSystem(e.currentTarget.value)}
					/>
				</label>
			</div>

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

			<form class="card stack" onSubmit={onSubmit}>
				<label>
					<span class="muted">{t("input")}</span>
					<textarea
						data-testid="pg-input"
						name="input"
						rows={3}
						value={input}
						placeholder={t("inputPlaceholder")}
						onInput={(e) => setInput(e.currentTarget.value)}
						onKeyDown={onKeyDown}
					/>
				</label>
				{formError && (
					<div class="state error" role="alert">
						{formError}
					</div>
				)}
				<div class="row spread">
					<button type="button" class="secondary" onClick={() => setMessages([])} disabled={streaming || messages.length === 0}>
						{t("clear")}
					</button>
					{streaming ? (
						<button type="button" class="danger" data-testid="pg-stop" onClick={() => abortRef.current?.abort()}>
							{t("stop")}
						</button>
					) : (
						<button type="submit" data-testid="pg-send" disabled={!input.trim()}>
							{t("send")}
						</button>
					)}
				</div>
			</form>
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
