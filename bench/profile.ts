// A DevTools protocol session with a Worker through workerd's inspector (Miniflare) or wrangler dev's inspector
// proxy: to record a V8 CPU profile while something runs (it opens in Chrome DevTools, Performance panel, "Load
// profile", or speedscope), and to hold a session open with domains enabled, as wrangler dev does with its own.
interface Target {
	id: string;
	title: string;
	webSocketDebuggerUrl: string;
}

// Node's WebSocket (undici's) takes request headers; the Workers types in scope describe the Workers one.
const NodeWebSocket = WebSocket as unknown as new (url: string, init: { headers: Record<string, string> }) => WebSocket;

export interface Session {
	call(method: string, params?: object): Promise<unknown>;
	/** How many of each event the Worker's inspector sent, by method and text (e.g. an uncaught exception's message). */
	events: Map<string, number>;
	close(): void;
}

interface EventParams {
	exceptionDetails?: { text?: string };
	args?: { value?: unknown }[];
}

/** An exception's text or a console call's first argument, cut short: enough to tell one kind from another. */
function eventText(params: EventParams | undefined): string {
	const text = params?.exceptionDetails?.text ?? params?.args?.[0]?.value;
	return typeof text === "string" ? JSON.stringify(text.slice(0, 160)) : "";
}

export async function openSession(inspectorPort: number, worker: string): Promise<Session> {
	const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Target[];
	const target = targets.find((t) => t.id === worker || t.title === worker) ?? targets.find((t) => t.title.includes(worker)) ?? targets[0];
	if (!target) throw new Error("the inspector lists no Worker");
	// wrangler dev's inspector proxy accepts DevTools clients from a known origin only.
	const ws = new NodeWebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } });
	await new Promise((resolve, reject) => {
		ws.addEventListener("open", resolve);
		ws.addEventListener("error", reject);
	});
	let next = 0;
	const pending = new Map<number, (result: unknown) => void>();
	const events = new Map<string, number>();
	ws.addEventListener("message", (event: MessageEvent) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; method?: string; params?: EventParams };
		if (message.id !== undefined) pending.get(message.id)?.(message.result);
		else if (message.method) {
			const what = `${message.method} ${eventText(message.params)}`.trim();
			events.set(what, (events.get(what) ?? 0) + 1);
		}
	});
	return {
		events,
		call: (method, params = {}) =>
			new Promise<unknown>((resolve) => {
				const id = ++next;
				pending.set(id, resolve);
				ws.send(JSON.stringify({ id, method, params }));
			}),
		close: () => ws.close(),
	};
}

export async function recordProfile(session: Session, during: () => Promise<unknown>): Promise<unknown> {
	await session.call("Profiler.enable");
	await session.call("Profiler.setSamplingInterval", { interval: 200 });
	await session.call("Profiler.start");
	await during();
	const { profile } = (await session.call("Profiler.stop")) as { profile: unknown };
	return profile;
}
