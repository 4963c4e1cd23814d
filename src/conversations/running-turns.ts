import type { DifyScope } from "./dify-store";

interface Running {
	scope: DifyScope;
	stop: () => void;
}

/**
 * Streamed Dify answers in progress in this isolate, by task id, so that POST /chat-messages/{task_id}/stop can cut
 * one short. A stop that lands in another isolate finds nothing here (see README: "Stopping an answer").
 */
const running = new Map<string, Running>();

export function trackTurn(taskId: string, scope: DifyScope, stop: () => void): () => void {
	running.set(taskId, { scope, stop });
	return () => running.delete(taskId);
}

/** Stops the task if it is this end user's, of this app; anyone else's is left alone, and says nothing. */
export function stopTurn(taskId: string, scope: DifyScope): boolean {
	const turn = running.get(taskId);
	if (!turn || turn.scope.appId !== scope.appId || turn.scope.endUser !== scope.endUser || turn.scope.ownerId !== scope.ownerId) return false;
	turn.stop();
	return true;
}
