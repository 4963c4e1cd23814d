// Records a V8 CPU profile of a Worker through workerd's inspector while something runs. The result opens in
// Chrome DevTools (Performance panel, "Load profile") or speedscope.
interface Target {
	id: string;
	title: string;
	webSocketDebuggerUrl: string;
}

export async function recordProfile(inspectorPort: number, worker: string, during: () => Promise<unknown>): Promise<unknown> {
	const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Target[];
	const target = targets.find((t) => t.id === worker) ?? targets.find((t) => t.title.includes(worker)) ?? targets[0];
	if (!target) throw new Error("the inspector lists no Worker");
	const ws = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		ws.addEventListener("open", resolve);
		ws.addEventListener("error", reject);
	});
	let next = 0;
	const pending = new Map<number, (result: unknown) => void>();
	ws.addEventListener("message", (event: MessageEvent) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
		if (message.id !== undefined) pending.get(message.id)?.(message.result);
	});
	const call = (method: string, params: object = {}) =>
		new Promise<unknown>((resolve) => {
			const id = ++next;
			pending.set(id, resolve);
			ws.send(JSON.stringify({ id, method, params }));
		});
	await call("Profiler.enable");
	await call("Profiler.setSamplingInterval", { interval: 200 });
	await call("Profiler.start");
	await during();
	const { profile } = (await call("Profiler.stop")) as { profile: unknown };
	ws.close();
	return profile;
}
