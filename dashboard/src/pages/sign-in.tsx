import { useState } from "preact/hooks";
import { ApiError, api, request } from "../api";
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
		tokenHint: "`npm run dev` prints it; it is also in .dev.vars.",
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
		tokenHint: "`npm run dev` 启动时会打印，也保存在 .dev.vars 中。",
		badToken: "管理员令牌不正确。",
	},
});

interface LoginAnswer {
	token: string;
	user: { id: number; name: string; email: string | null; role: "admin" | "user" };
}

export function SignInPage() {
	const [mode, setMode] = useState<"user" | "admin">("user");
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);

	const submit = async (e: Event) => {
		e.preventDefault();
		const form = new FormData(e.currentTarget as HTMLFormElement);
		setBusy(true);
		setError(null);
		try {
			if (mode === "user") {
				const answer = await api<LoginAnswer>("POST", "/api/auth/login", { email: form.get("email"), password: form.get("password") });
				signIn({ token: answer.token, role: answer.user.role, name: answer.user.email ?? answer.user.name, userId: answer.user.id });
			} else {
				const token = String(form.get("token") ?? "").trim();
				const me = await request("GET", "/api/auth/me", undefined, { headers: { authorization: `Bearer ${token}` } })
					.then((res) => res.json() as Promise<{ role?: string }>)
					.catch(() => ({ role: undefined }));
				if (me.role !== "admin") throw new ApiError(401, t("badToken"));
				signIn({ token, role: "admin", name: "operator", userId: null });
			}
		} catch (err) {
			setError((err as Error).message);
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
							<small class="muted">{t("tokenHint")}</small>
						</label>
					)}
					{error && (
						<div class="state error" role="alert">
							{error}
						</div>
					)}
					<button type="submit" disabled={busy}>
						{busy ? t("busy") : t("submit")}
					</button>
				</form>
			</div>
		</div>
	);
}
