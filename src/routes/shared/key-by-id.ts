import { keyMayRelay, ownerScope } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { GatewayError } from "../../errors/gateway-error";
import { callerForKey } from "../../relay/callers";
import type { CallerKey } from "../../types/caller";

/**
 * The key a dashboard page acts as, by id (the playground, the Chat page): one of the principal's own user's (any
 * for the operator), and an ordinary key with the `relay` scope. An app key works only at /dify/v1, for its app,
 * whoever names it.
 */
export async function keyById(env: Env, keyId: number, principal: Principal, param: string): Promise<CallerKey> {
	const caller = await callerForKey(env, keyId, ownerScope(principal));
	if (caller.appId !== null) throw new GatewayError("forbidden", "This is an app key: it works only at /dify/v1, for its app", { param });
	keyMayRelay(caller);
	return caller;
}
