import type { DifyScope } from "./dify-store";

interface Running {
	scope: DifyScope;
	stop: () => void;
}

/** Streamed Dify answers in progress in this isolate, by task id, so that a stop landing here cuts one short at once. */
const running = new Map<string, Running>();

/** How long a stop left for another isolate waits to be seen: longer than any answer streams. */
const STOP_TTL_SECONDS = 600;

export function trackTurn(taskId: string, scope: DifyScope, stop: () => void): () => void {
	running.set(taskId, { scope, stop });
	return () => running.delete(taskId);
}

/**
 * Where a stop is left for an answer streaming in another isolate: a key of the data center's cache (the Cache API),
 * named by the task and whose it is, so that one end user's stop never matches another's task.
 */
function stopKey(taskId: string, s: DifyScope): Request {
	const path = [s.ownerId, s.appId, s.endUser, taskId].map((p) => encodeURIComponent(String(p))).join("/");
	return new Request(`https://dify-stop.gateway.internal/${path}`);
}

/**
 * Stops the end user's task: at once if it streams in this isolate; otherwise the stop is left in the data center's
 * cache, which a streaming answer looks at every second (`stopLeftElsewhere`). A stop landing in another data center
 * is not seen: the answer then runs to its end. Anyone else's task is left alone.
 */
export async function stopTurn(taskId: string, scope: DifyScope): Promise<void> {
	const turn = running.get(taskId);
	if (turn) {
		const s = turn.scope;
		if (s.appId === scope.appId && s.endUser === scope.endUser && s.ownerId === scope.ownerId) turn.stop();
		return;
	}
	await leaveStop(taskId, scope);
}

/** Leaves a stop for an answer streaming in another isolate of this data center. */
export async function leaveStop(taskId: string, scope: DifyScope): Promise<void> {
	try {
		await caches.default.put(stopKey(taskId, scope), new Response("stop", { headers: { "cache-control": `max-age=${STOP_TTL_SECONDS}` } }));
	} catch (err) {
		// Dify answers a stop with success whatever became of the task; an answer not stopped only runs to its end.
		console.error(JSON.stringify({ level: "warn", event: "dify_stop_not_left", error: String(err) }));
	}
}

/** Whether a stop for this task was left by another isolate. */
export async function stopLeftElsewhere(taskId: string, scope: DifyScope): Promise<boolean> {
	return (await caches.default.match(stopKey(taskId, scope))) !== undefined;
}
