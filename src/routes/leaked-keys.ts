import { Hono } from "hono";
import type { z } from "zod";
import { NO_LIMITS } from "../../durable-objects/governor-types";
import { audit, requestFacts, SYSTEM } from "../audit/record";
import { plausibleKey } from "../auth/key-format";
import { actOnLeaks } from "../auth/leaked-keys";
import type { AppEnv } from "../env";
import { sha256Hex } from "../lib/crypto";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { forgetCallers } from "../relay/callers";
import { leakReport, leakReportResponse } from "./leaked-key-schemas";
import { countAttempt } from "./shared/attempts";

// Leak reports per address per minute.
const PER_ADDRESS = { ...NO_LIMITS, rpm: 10 };

function reported(body: z.infer<typeof leakReport>): { keys: string[]; hashes: string[] } {
	if (Array.isArray(body)) return { keys: body.map((t) => t.token), hashes: [] };
	return { keys: body.keys, hashes: body.hashes.map((h) => h.toLowerCase()) };
}

/**
 * Leaked keys, reported by anyone who found one (a person, a secret scanner): each reported key is locked at once.
 * Public, like a scanner's endpoint must be: a report needs the key or its SHA-256, and whoever holds a key that is
 * not theirs holds a leaked key. Mounted before /api's authentication.
 */
export const leakedKeyRoutes = new Hono<AppEnv>().post("/leaked-keys", valid("json", leakReport), async (c) => {
	// A report costs a D1 read, so nobody may make many.
	const address = c.req.header("cf-connecting-ip") ?? "local";
	await countAttempt(c.env, c.get("requestId"), [[{ kind: "login", id: `leak-report:${address}` }, PER_ADDRESS]], "leak reports from this address");
	const { keys, hashes } = reported(c.req.valid("json"));
	// A string that cannot be a key of ours is no key: nothing to look up.
	const all = [...hashes, ...(await Promise.all(keys.filter(plausibleKey).map(sha256Hex)))];
	const outcome = await actOnLeaks(c.env, all, { actor: SYSTEM, facts: requestFacts(c) });
	if (outcome.locked.length + outcome.graceEnded.length > 0) forgetCallers();
	const received = keys.length + hashes.length;
	audit(c, {
		action: "security.leaked_key",
		actor: SYSTEM,
		userId: null,
		detail: { received, locked: outcome.locked, grace_ended: outcome.graceEnded },
	});
	return c.json({ received, locked: outcome.locked.length, grace_ended: outcome.graceEnded.length } satisfies z.infer<typeof leakReportResponse>);
});

export const leakedKeyDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/api/security/leaked-keys",
		summary: "Report leaked gateway keys (raw, as SHA-256, or GitHub secret scanning's format): each is locked at once",
		tag: "Security",
		auth: "none",
		body: leakReport,
		response: leakReportResponse,
		errors: [429],
	},
];
