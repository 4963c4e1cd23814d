import { z } from "zod";
import { parseCidr } from "../lib/cidr";
import { KEY_SCOPES } from "../types/key-scope";

const unique = <T>(items: T[]): T[] => [...new Set(items)];

/**
 * API surfaces (README, "Scopes"): `relay` (model calls), `files`, `vector_stores`, `memory` (/mem0),
 * `conversations` (and stored responses), `batches`, `usage` (the read-only /api a key may call). Null or omitted:
 * all (of the user's, for a key).
 */
export const scopes = z.array(z.enum(KEY_SCOPES)).max(KEY_SCOPES.length).transform(unique).nullish();

/** Labels to find keys by (GET /api/tokens?tag=…). */
export const tags = z.array(z.string().trim().min(1).max(50)).max(20).transform(unique).optional();

/** CIDRs (IPv4 or IPv6; a bare address is one host) the key may be used from; null: anywhere. */
export const ipAllow = z
	.array(
		z
			.string()
			.trim()
			.max(64)
			.refine((c) => parseCidr(c) !== undefined, "must be an IPv4 or IPv6 address or CIDR, such as 203.0.113.0/24 or 2001:db8::/32"),
	)
	.min(1, "null, not an empty list, allows every address; an empty list would allow none")
	.max(100)
	.transform(unique)
	.nullish();

export const scopesView = z.array(z.string()).nullable();
