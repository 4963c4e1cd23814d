import { z } from "zod";

const MAX_REPORTED = 100;

/** Our own shape: raw keys, or their SHA-256 (hex) for a reporter that should not hold the key itself. */
const ownReport = z
	.object({
		keys: z.array(z.string().max(200)).max(MAX_REPORTED).default([]),
		hashes: z
			.array(z.string().regex(/^[0-9a-fA-F]{64}$/, "a SHA-256 hex digest"))
			.max(MAX_REPORTED)
			.default([]),
	})
	.refine((r) => r.keys.length + r.hashes.length > 0, "Report at least one key or hash")
	.refine((r) => r.keys.length + r.hashes.length <= MAX_REPORTED, `At most ${MAX_REPORTED} keys and hashes per report`);

/** GitHub secret scanning's partner format: an array of found tokens, each with where it was found. */
const githubReport = z
	.array(
		z.object({
			token: z.string().max(200),
			type: z.string().max(100).optional(),
			url: z.string().max(2000).optional(),
			source: z.string().max(100).optional(),
		}),
	)
	.min(1)
	.max(MAX_REPORTED);

export const leakReport = z.union([ownReport, githubReport]);

export const leakReportResponse = z.object({
	/** Keys and hashes in the report. */
	received: z.number(),
	/** Keys (by id) now locked: their owner or the operator unlocks them (PATCH /api/tokens/{id} status "active") after rotating. */
	locked: z.number(),
	/** Rotated keys whose reported old secret stopped working at once, ending its grace period. */
	grace_ended: z.number(),
});
