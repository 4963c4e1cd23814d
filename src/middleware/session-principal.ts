import type { Principal } from "../auth/principal";
import { readSession } from "../auth/session";
import { sessionPrincipal } from "../auth/sessions";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { unavailableOnFailure } from "../relay/callers";

/** The person a dashboard session token (a JWT) stands for; 401 when it has ended or is not one of ours. */
export async function principalOfSession(env: Env, token: string): Promise<Principal> {
	const { adminToken, encryptionKey, encryptionKeyPrevious } = config(env);
	// Sessions signed before a rotation of ENCRYPTION_KEY stay valid while the previous key is kept.
	const claims = (await readSession(token, encryptionKey)) ?? (encryptionKeyPrevious ? await readSession(token, encryptionKeyPrevious) : undefined);
	const principal = claims && (await unavailableOnFailure(sessionPrincipal(env, claims, adminToken)));
	if (!principal) throw new GatewayError("unauthorized", "The session has ended or is not valid; sign in again");
	return principal;
}
