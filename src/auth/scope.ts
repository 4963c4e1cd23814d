import { GatewayError } from "../errors/gateway-error";
import type { Principal } from "./principal";

/** The user whose data a request may see: any (undefined) for the operator, only their own for a user. */
export function ownUserId(principal: Principal): number | undefined {
	return principal.role === "user" ? principal.userId : undefined;
}

/**
 * The user whose rows a request may read. The operator reads anyone's (or everyone's); a user key reads only
 * its own user's, and naming another user is refused (403) rather than silently narrowed, so that a script
 * with the wrong key fails loudly instead of showing someone an empty page.
 */
export function scopedUserId(principal: Principal, requested: number | undefined): number | undefined {
	const own = ownUserId(principal);
	if (own === undefined) return requested;
	if (requested !== undefined && requested !== own) {
		throw new GatewayError("forbidden", "A gateway key may only read its own user's data", { param: "user_id" });
	}
	return own;
}
