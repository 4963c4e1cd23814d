import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { signOut } from "./api";
import { Switches } from "./components/switches";
import { translator } from "./i18n";
import { AppsPage } from "./pages/apps";
import { AuditPage } from "./pages/audit";
import { BillingPage } from "./pages/billing";
import { ChannelsPage } from "./pages/channels";
import { ChatPage } from "./pages/chat";
import { JobsPage } from "./pages/jobs";
import { KeysPage } from "./pages/keys";
import { KnowledgePage } from "./pages/knowledge";
import { MemoriesPage } from "./pages/memories";
import { ModelsPage } from "./pages/models";
import { OverviewPage } from "./pages/overview";
import { PlaygroundPage } from "./pages/playground";
import { SignInPage } from "./pages/sign-in";
import { UsagePage } from "./pages/usage";
import { isAdmin, session } from "./session";

const t = translator({
	en: {
		overview: "Overview",
		channels: "Channels",
		models: "Models",
		keys: "Keys",
		usage: "Usage logs",
		billing: "Billing",
		playground: "Playground",
		knowledge: "Knowledge",
		memories: "Memories",
		chat: "Chat",
		apps: "Apps",
		jobs: "Jobs",
		audit: "Audit",
		signOut: "Sign out",
		notFound: "This page does not exist.",
		operator: "operator",
	},
	zh: {
		overview: "概览",
		channels: "渠道",
		models: "模型",
		keys: "密钥",
		usage: "使用日志",
		billing: "账单",
		playground: "试验场",
		knowledge: "知识库",
		memories: "记忆",
		chat: "对话",
		apps: "应用",
		jobs: "任务",
		audit: "审计",
		signOut: "退出登录",
		notFound: "页面不存在。",
		operator: "管理员",
	},
});

const NAV = [
	{ path: "/", key: "overview", admin: false },
	{ path: "/channels", key: "channels", admin: true },
	{ path: "/models", key: "models", admin: true },
	{ path: "/keys", key: "keys", admin: false },
	{ path: "/usage", key: "usage", admin: false },
	{ path: "/billing", key: "billing", admin: false },
	{ path: "/playground", key: "playground", admin: false },
	{ path: "/knowledge", key: "knowledge", admin: false },
	{ path: "/memories", key: "memories", admin: false },
	{ path: "/chat", key: "chat", admin: false },
	{ path: "/apps", key: "apps", admin: false },
	{ path: "/jobs", key: "jobs", admin: true },
	{ path: "/audit", key: "audit", admin: false },
] as const;

function Shell() {
	const { path } = useLocation();
	const s = session.value;
	if (!s) return <SignInPage />;
	return (
		<div class="shell">
			<header class="top">
				<a class="brand" href="/">
					edge-gateway
				</a>
				<nav aria-label="main">
					{NAV.filter((n) => !n.admin || isAdmin.value).map((n) => (
						<a key={n.path} href={n.path} class={path === n.path ? "active" : ""}>
							{t(n.key)}
						</a>
					))}
				</nav>
				<div class="who">
					<span class="muted" data-testid="who">
						{s.userId === null ? t("operator") : s.name}
					</span>
					<Switches />
					<button type="button" class="secondary" data-testid="sign-out" onClick={() => void signOut()}>
						{t("signOut")}
					</button>
				</div>
			</header>
			<main>
				<Router>
					<Route path="/" component={OverviewPage} />
					<Route path="/channels" component={ChannelsPage} />
					<Route path="/models" component={ModelsPage} />
					<Route path="/keys" component={KeysPage} />
					<Route path="/usage" component={UsagePage} />
					<Route path="/billing" component={BillingPage} />
					<Route path="/playground" component={PlaygroundPage} />
					<Route path="/knowledge" component={KnowledgePage} />
					<Route path="/memories" component={MemoriesPage} />
					<Route path="/chat" component={ChatPage} />
					<Route path="/apps" component={AppsPage} />
					<Route path="/jobs" component={JobsPage} />
					<Route path="/audit" component={AuditPage} />
					<Route default component={() => <p class="state empty">{t("notFound")}</p>} />
				</Router>
			</main>
		</div>
	);
}

export function App() {
	return (
		<LocationProvider>
			<Shell />
		</LocationProvider>
	);
}
