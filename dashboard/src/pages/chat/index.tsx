/**
 * The Chat page: the conversations of the user's apps and keys (whichever API made them), searched by title and
 * message text; a conversation's thread with each turn's tokens, cost, citations and tool calls; rename, delete,
 * feedback; and a new message sent as one of the user's keys, its answer shown as it streams in.
 */

import { useMemo, useState } from "preact/hooks";
import { get } from "../../api";
import type { App, Token, User } from "../../components/api-types";
import { Alert, Async, Empty, useLoad } from "../../components/async";
import { messageOf } from "../../components/format";
import { usePaged } from "../../components/hooks";
import { IdSelect } from "../../components/id-select";
import { PageTitle } from "../../components/page-title";
import { isAdmin } from "../../session";
import { type ConversationSummary, chatApi, listPath, type Rating, type Scope, type Thread, type Turn } from "./api";
import { ConversationList } from "./list";
import { RenameDialog } from "./rename";
import { type Pending, Sender } from "./sender";
import { t } from "./strings";
import { ThreadView } from "./thread";

/** The waits between looks for an answer's stored turn. */
const STORED_POLL_MS = [300, 700, 1500, 3000];

const usable = (k: Token) => k.status === "active" && (k.expires_at === null || Date.parse(k.expires_at) > Date.now());

/** The apps to filter by; none where the gateway serves no /api/apps. */
const loadApps = () => get<{ data: App[] }>("/api/apps").then((r) => r.data);

function scopeOf(value: string): Scope {
	const [kind, id = ""] = value.split(":", 2);
	if (kind === "app" && id) return { kind: "app", id };
	if (kind === "key" && /^\d+$/.test(id)) return { kind: "key", id: Number(id) };
	return { kind: "all" };
}

export function ChatPage() {
	const tokens = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data), []);
	const apps = useLoad(loadApps, []);
	const admin = isAdmin.value;
	const users = useLoad(() => (admin ? get<{ data: User[] }>("/api/users").then((r) => r.data) : Promise.resolve([])), [admin]);
	return (
		<div class="stack">
			<PageTitle title={t("title")} subtitle={t("subtitle")} />
			{/* An app key's conversations are its app's: they are found under the app, and no page sends as an app key. */}
			<Async load={tokens}>{(keys) => <Chat keys={keys.filter((k) => k.app_id === null)} apps={apps.data ?? []} users={users.data ?? []} />}</Async>
		</div>
	);
}

function Chat({ keys, apps, users }: { keys: Token[]; apps: App[] /** The operator's filter; none for a user. */; users: User[] }) {
	const [scopeValue, setScopeValue] = useState("");
	const [userId, setUserId] = useState("");
	const scope = useMemo(() => scopeOf(scopeValue), [scopeValue]);
	const [typed, setTyped] = useState("");
	const [q, setQ] = useState("");
	const [listVersion, setListVersion] = useState(0);
	const paged = usePaged<ConversationSummary>((cursor) => listPath(scope, userId, q, cursor), [scopeValue, userId, q, listVersion]);
	const [openId, setOpenId] = useState<string | null>(null);
	const [composing, setComposing] = useState(false);
	const [threadVersion, setThreadVersion] = useState(0);
	const thread = useLoad(() => (openId === null ? Promise.resolve(null) : chatApi.thread(openId)), [openId, threadVersion]);
	const [pending, setPending] = useState<Pending[]>([]);
	const [renaming, setRenaming] = useState(false);
	const [busyTurn, setBusyTurn] = useState<string | null>(null);
	const [error, setError] = useState<string | null>(null);
	const usableKeys = keys.filter(usable);

	const open = (id: string | null) => {
		setOpenId(id);
		setComposing(id === null);
		setError(null);
	};
	const refresh = () => {
		setListVersion((v) => v + 1);
		setThreadVersion((v) => v + 1);
	};

	// The turn is written after the stream ends (never before its first byte): look a few times until it is there, so
	// that the stored turn, with its cost and feedback buttons, takes the streamed answer's place.
	const answered = async (id: string, responseId: string | null) => {
		for (const wait of responseId === null ? [] : STORED_POLL_MS) {
			await new Promise((resolve) => setTimeout(resolve, wait));
			const stored = await chatApi.thread(id).catch(() => null);
			if (stored?.parts.some((p) => p.turn?.id === responseId)) break;
		}
		refresh();
	};

	const rate = async (turn: Turn, rating: Rating | null) => {
		if (openId === null) return;
		setBusyTurn(turn.id);
		setError(null);
		try {
			await chatApi.feedback(openId, turn.id, rating);
			setThreadVersion((v) => v + 1);
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusyTurn(null);
		}
	};

	const remove = async (c: Thread) => {
		if (!window.confirm(t("confirmDelete", { name: c.name ?? t("untitled") }))) return;
		setError(null);
		try {
			await chatApi.remove(c.id);
			setPending((all) => all.filter((p) => p.conversationId !== c.id));
			open(null);
			setComposing(false);
			setListVersion((v) => v + 1);
		} catch (err) {
			setError(messageOf(err));
		}
	};

	const current = openId !== null && thread.data?.id === openId ? thread.data : null;
	const stored = new Set(current?.parts.flatMap((p) => (p.turn ? [p.turn.id] : [])) ?? []);
	const shownPending = pending.filter((p) => p.conversationId === openId && !(p.responseId !== null && stored.has(p.responseId)));
	const lastTurn = current?.parts.flatMap((p) => (p.turn ? [p.turn] : [])).at(-1);
	const scopeKey = scope.kind === "key" ? scope.id : null;

	return (
		<>
			<div class="card row" style={{ alignItems: "flex-end" }}>
				{users.length > 0 && (
					<label htmlFor="chat-user-filter">
						{t("user")}
						<IdSelect id="chat-user-filter" items={users} value={userId} onChange={setUserId} allLabel={t("allUsers")} testid="chat-user-filter" />
					</label>
				)}
				<label>
					{t("scope")}
					<select data-testid="chat-scope" value={scopeValue} onChange={(e) => setScopeValue(e.currentTarget.value)}>
						<option value="">{t("allConversations")}</option>
						{apps.length > 0 && (
							<optgroup label={t("apps")}>
								{apps.map((a) => (
									<option key={a.id} value={`app:${a.id}`}>
										{a.name}
									</option>
								))}
							</optgroup>
						)}
						<optgroup label={t("keys")}>
							{keys.map((k) => (
								<option key={k.id} value={`key:${k.id}`}>
									{k.name} ({k.key_prefix})
								</option>
							))}
						</optgroup>
					</select>
				</label>
				<form
					class="row"
					style={{ alignItems: "flex-end", flex: "1 1 20rem" }}
					onSubmit={(e) => {
						e.preventDefault();
						setQ(typed.trim());
					}}
				>
					<label style={{ flex: "1 1 14rem" }}>
						{t("search")}
						<input
							type="search"
							data-testid="chat-search-input"
							value={typed}
							placeholder={t("searchPlaceholder")}
							onInput={(e) => setTyped(e.currentTarget.value)}
						/>
					</label>
					<button type="submit" data-testid="chat-search">
						{t("searchButton")}
					</button>
				</form>
				<button type="button" data-testid="chat-new" disabled={usableKeys.length === 0} onClick={() => open(null)}>
					{t("newConversation")}
				</button>
			</div>
			{error && <Alert testid="chat-error">{error}</Alert>}
			<div class="chat-layout">
				<div class="card">
					<Async load={paged.first} empty={(p) => p.data.length === 0}>
						{() => <ConversationList paged={paged} query={q} openId={openId} onOpen={open} />}
					</Async>
					{paged.error && <Alert>{paged.error.message}</Alert>}
				</div>
				<div class="stack">
					{openId !== null && (
						<Async load={thread}>
							{(loaded) =>
								loaded && (
									<div class="card stack" data-testid="chat-open">
										<div class="row spread">
											<h2 style={{ margin: 0 }} data-testid="chat-title" translate={false}>
												{loaded.name ?? t("untitled")}
											</h2>
											<div class="row">
												<button type="button" class="secondary" data-testid="chat-rename" onClick={() => setRenaming(true)}>
													{t("rename")}
												</button>
												<button type="button" class="danger" data-testid="chat-delete" onClick={() => void remove(loaded)}>
													{t("delete")}
												</button>
											</div>
										</div>
										<ThreadView thread={loaded} busyTurn={busyTurn} onRate={(turn, r) => void rate(turn, r)} />
									</div>
								)
							}
						</Async>
					)}
					{openId === null && !composing && <Empty>{t("pick")}</Empty>}
					{(openId !== null || composing) &&
						(current?.app_id ? (
							<p class="muted" data-testid="chat-app-note">
								{t("appNote")}
							</p>
						) : usableKeys.length === 0 ? (
							<Empty>{t("noKeys")}</Empty>
						) : (
							<Sender
								keys={usableKeys}
								conversationId={openId}
								keyId={current?.key_id ?? scopeKey}
								model={lastTurn?.model ?? null}
								pending={shownPending}
								onPending={setPending}
								onStarted={(id) => {
									setOpenId(id);
									setComposing(false);
									setListVersion((v) => v + 1);
								}}
								onAnswered={(id, responseId) => void answered(id, responseId)}
							/>
						))}
				</div>
			</div>
			{renaming && current && <RenameDialog id={current.id} name={current.name ?? ""} onRenamed={refresh} onClose={() => setRenaming(false)} />}
		</>
	);
}
