import { type ModelRoute, routesByName } from "../channels/model-routes";

/** A requested model name resolved: the models that may answer it, in order, and the route whose policy orders channels. */
export interface Resolved {
	/** The name the client asked for: an alias, or a model. */
	requested: string;
	/** The requested model itself, or an alias's chain. */
	chain: readonly [string, ...string[]];
	route: ModelRoute | undefined;
}

/** An alias stands for its chain and lends its policy to each model of it; any other name is itself. */
export function resolveModel(routes: ReadonlyMap<string, ModelRoute>, requested: string): Resolved {
	const route = routes.get(requested);
	const [head, ...rest] = route?.chain ?? [];
	return { requested, chain: head ? [head, ...rest] : [requested], route };
}

/**
 * The model of `requested`'s chain tried after `model`, for whoever must move on from a model that failed (the
 * relay's fallback, a stream's continuation); undefined when `requested` is no alias or `model` is its last.
 */
export async function nextModelAfter(env: Env, requested: string, model: string): Promise<string | undefined> {
	const { chain } = resolveModel(await routesByName(env), requested);
	const at = chain.indexOf(model);
	return at < 0 ? undefined : chain[at + 1];
}
