import type { Context } from "hono";
import { keyMayComeFrom, keyMayReach } from "../auth/policy";
import type { AppEnv } from "../env";
import type { CallerKey } from "../types/caller";

/**
 * The policy's questions about a key once it is known: may it call this API surface (its scopes), and, when its
 * secret was presented (not a session acting as it), from this address (its IP allow-list). Both answered from
 * the cached key: no read.
 */
export function admitKey(c: Context<AppEnv>, caller: CallerKey, bySecret: boolean): void {
	keyMayReach(caller, c.req.method, c.req.path);
	if (bySecret) keyMayComeFrom(caller, c.req.header("cf-connecting-ip"));
}
