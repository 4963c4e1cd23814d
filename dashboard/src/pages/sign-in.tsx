import { useState } from "preact/hooks";
import { ApiError, api, request } from "../api";
import { Alert } from "../components/async";
import { messageOf } from "../components/format";
import { Switches } from "../components/switches";
import { translator } from "../i18n";
import { signIn } from "../session";

const t = translator({
	en: {
		title: "Sign in to edge-gateway",
		user: "Email and password",
		admin: "Admin token",
		email: "Email",
		password: "Password",
		token: "Admin token (ADMIN_TOKEN)",
		submit: "Sign in",
		busy: "Signing in…",
		tokenHint: "{cmd} prints it; it is also in {file}.",
		badToken: "That is not the admin token.",
	},
	zh: {
		title: "登录 edge-gateway",
		user: "邮箱和密码",
		admin: "管理员令牌",
		email: "邮箱",
		password: "密码",
		token: "管理员令牌 (ADMIN_TOKEN)",
		submit: "登录",
		busy: "登录中…",
		tokenHint: "{cmd} 启动时会打印，也保存在 {file} 中。",
		badToken: "管理员令牌不正确。",
	},
});

interface LoginAnswer {
	token: string;
	expires_at: string;
	user: { id: number; name: string; email: string | null; role: "admin" | "user" };
}

interface OperatorSession {
	token: string;
	expires_at: string;
}

async function withPassword(email: string, password: string): Promise<void> {
	const answer = await api<LoginAnswer>("POST", "/api/auth/login", { email, password });
	const { user } = answer;
	signIn({ token: answer.token, expiresAt: Date.parse(answer.expires_at), role: user.role, name: user.email ?? user.name, userId: user.id });
}

/** ADMIN_TOKEN is sent once, to be traded for a session; only the session is kept, so the token never sits in storage. */
async function withAdminToken(adminToken: string): Promise<void> {
	const res = await request("POST", "/api/auth/session", undefined, { headers: { authorization: `Bearer ${adminToken}` } }).catch((err: unknown) => {
		// 401: not a credential at all; 403: a credential, but not ADMIN_TOKEN (a user's session or a gateway key).
		if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw new ApiError(err.status, t("badToken"));
		throw err;
	});
	const answer = (await res.json()) as OperatorSession;
	signIn({ token: answer.token, expiresAt: Date.parse(answer.expires_at), role: "admin", name: "operator", userId: null });
}

/** The hint with its command and file name set as code, in either language's word order. */
function TokenHint() {
	const code: Record<string, string> = { "{cmd}": "npm run dev", "{file}": ".dev.vars" };
	return (
		<small class="muted" data-testid="token-hint">
			{t("tokenHint")
				.split(/(\{cmd\}|\{file\})/)
				.map((part) => (part in code ? <code key={part}>{code[part]}</code> : part))}
		</small>
	);
}

export function SignInPage() {
	const [mode, setMode] = useState<"user" | "admin">("user");
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);

	const submit = async (e: Event) => {
		e.preventDefault();
		const form = new FormData(e.currentTarget as HTMLFormElement);
		const field = (name: string) => String(form.get(name) ?? "");
		setBusy(true);
		setError(null);
		try {
			if (mode === "user") await withPassword(field("email"), field("password"));
			else await withAdminToken(field("token").trim());
		} catch (err) {
			setError(messageOf(err));
		} finally {
			setBusy(false);
		}
	};

	return (
		<div class="sign-in">
			<div class="card narrow">
				<div class="row spread">
					<h1>{t("title")}</h1>
					<Switches />
				</div>
				<div class="tabs" role="tablist">
					<button type="button" role="tab" aria-selected={mode === "user"} class={mode === "user" ? "tab active" : "tab"} onClick={() => setMode("user")}>
						{t("user")}
					</button>
					<button type="button" role="tab" aria-selected={mode === "admin"} class={mode === "admin" ? "tab active" : "tab"} onClick={() => setMode("admin")}>
						{t("admin")}
					</button>
				</div>
				<form onSubmit={submit} class="stack">
					{mode === "user" ? (
						<>
							<label>
								{t("email")}
								<input name="email" type="email" autoComplete="username" required />
							</label>
							<label>
								{t("password")}
								<input name="password" type="password" autoComplete="current-password" required />
							</label>
						</>
					) : (
						<label>
							{t("token")}
							<input name="token" type="password" autoComplete="off" required />
							<TokenHint />
						</label>
					)}
					{error && <Alert>{error}</Alert>}
					<button type="submit" disabled={busy}>
						{busy ? t("busy") : t("submit")}
					</button>
				</form>
			</div>
		</div>
	);
}
