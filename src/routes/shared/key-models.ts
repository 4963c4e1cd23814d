import { enabledChannels, modelsForGroup } from "../../channels/live";
import { routesByName, withAliases } from "../../channels/model-routes";
import type { CallerKey } from "../../types/caller";

/**
 * The models a key may call, as GET /v1/models lists them: those its group's enabled channels serve and the aliases
 * that lead to one of them, narrowed to the key's own list when it has one. The playground offers the same list for the key it acts as.
 */
export async function keyModels(env: Env, caller: CallerKey) {
	const reachable = withAliases(modelsForGroup((await enabledChannels(env)).all, caller.group), await routesByName(env));
	const allowed = caller.models ? reachable.filter((m) => caller.models?.includes(m)) : reachable;
	return {
		object: "list" as const,
		data: allowed.map((id) => ({ id, object: "model" as const, created: 0, owned_by: "edge-gateway" })),
	};
}
