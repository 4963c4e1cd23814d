import { and, desc, eq, lt } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { audit } from "../audit/record";
import { scopeToOwner } from "../auth/policy";
import type { Principal } from "../auth/principal";
import { toNusd, toUsd } from "../billing/money";
import { db } from "../db/client";
import { ledgerEntries, redemptionCodes } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { sha256Hex } from "../lib/crypto";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { ledgerEntryView } from "./billing-schemas";
import { redeemBody, redemptionCreate, redemptionCreated, redemptionPage, redemptionQuery, type redemptionView } from "./redemption-schemas";
import { findUser } from "./shared/find";
import { ledgerView } from "./shared/ledger-view";
import { encodeCursor } from "./shared/pagination";

type CodeRow = typeof redemptionCodes.$inferSelect;

// Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives; 32 symbols take 5 bits of a
// random byte each with no bias. Four groups of five: 100 bits, far beyond guessing through the API.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function newCode(): string {
	const chars = Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => ALPHABET.charAt(b & 31)).join("");
	return `RC-${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10, 15)}-${chars.slice(15)}`;
}

/** The form a code is hashed in, so that case, spaces, dashes and O-for-0 or I/L-for-1 typos do not matter. */
function canonical(code: string): string {
	return code.toUpperCase().replace(/[\s-]/g, "").replaceAll("O", "0").replace(/[IL]/g, "1");
}

// One statement and one bound parameter for the whole batch: D1 binds at most 100 parameters per statement.
const INSERT_CODES = `INSERT INTO redemption_codes (code_hash, code_prefix, batch, value_nusd, expires_at)
	SELECT value ->> 'hash', value ->> 'prefix', ?2, ?3, ?4 FROM json_each(?1)`;

const CLAIM = `UPDATE redemption_codes SET redeemed_by = ?2, redeemed_at = ?3
	WHERE code_hash = ?1 AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > ?3) RETURNING id`;
const CREDIT = `INSERT INTO ledger_entries (user_id, token_id, kind, amount_nusd, idempotency_key, note)
	SELECT redeemed_by, ?4, 'redemption', value_nusd, 'redemption:' || id, 'code ' || code_prefix || ' of batch ' || batch
	FROM redemption_codes WHERE code_hash = ?1 AND redeemed_by = ?2 AND redeemed_at = ?3
	ON CONFLICT (idempotency_key) DO NOTHING`;
const claimedRow = z.object({ id: z.number() });

function state(row: CodeRow, now: number): z.infer<typeof redemptionView>["state"] {
	if (row.redeemedAt !== null) return "redeemed";
	return row.expiresAt !== null && row.expiresAt <= now ? "expired" : "available";
}

function view(row: CodeRow, now: number): z.infer<typeof redemptionView> {
	return {
		id: row.id,
		code_prefix: row.codePrefix,
		batch: row.batch,
		value_usd: toUsd(row.valueNusd),
		state: state(row, now),
		expires_at: iso(row.expiresAt),
		redeemed_by: row.redeemedBy,
		redeemed_at: iso(row.redeemedAt),
		created_at: new Date(row.createdAt).toISOString(),
	};
}

/** Why a code could not be claimed, read after the claim failed (and so never racing it). */
async function refusal(env: Env, codeHash: string, now: number): Promise<Error> {
	const [row] = await db(env).select().from(redemptionCodes).where(eq(redemptionCodes.codeHash, codeHash)).limit(1);
	if (!row) return new GatewayError("not_found", "There is no such redemption code", { param: "code" });
	if (row.redeemedAt !== null) return new GatewayError("conflict", "This code has already been redeemed", { param: "code" });
	if (state(row, now) === "expired") return new GatewayError("conflict", `This code expired at ${iso(row.expiresAt)}`, { param: "code" });
	return new Error("a redemption claimed nothing although its code is available");
}

/** Who a redemption credits: a user key's own user; the operator must name one. */
async function beneficiary(env: Env, principal: Principal, requested: number | undefined): Promise<{ userId: number; tokenId: number | null }> {
	const userId = scopeToOwner(principal, requested);
	if (principal.role === "user") return { userId: principal.userId, tokenId: principal.keyId };
	if (userId === undefined) throw new GatewayError("invalid_request", "Name the user to credit: 'user_id'", { param: "user_id" });
	await findUser(env, userId, "user_id");
	return { userId, tokenId: null };
}

export const redemptionRoutes = new Hono<AppEnv>()
	.post("/", valid("json", redemptionCreate), async (c) => {
		const input = c.req.valid("json");
		const batch = input.batch ?? `batch-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
		const expiresAt = input.expires_at == null ? null : Date.parse(input.expires_at);
		const codes = Array.from({ length: input.count }, newCode);
		const rows = await Promise.all(codes.map(async (code) => ({ hash: await sha256Hex(canonical(code)), prefix: `${code.slice(0, 8)}…` })));
		await c.env.DB.prepare(INSERT_CODES).bind(JSON.stringify(rows), batch, toNusd(input.value_usd), expiresAt).run();
		const created: z.infer<typeof redemptionCreated> = { batch, value_usd: input.value_usd, expires_at: iso(expiresAt), codes };
		// The codes are bearer credit: the entry keeps the batch and its size, never a code.
		audit(c, {
			action: "redemption.create",
			objectType: "redemption_batch",
			objectId: batch,
			detail: { count: input.count, value_usd: input.value_usd, expires_at: iso(expiresAt) },
		});
		return c.json(created, 201);
	})
	.get("/", valid("query", redemptionQuery), async (c) => {
		const { batch, limit, cursor } = c.req.valid("query");
		const rows = await db(c.env)
			.select()
			.from(redemptionCodes)
			.where(and(batch === undefined ? undefined : eq(redemptionCodes.batch, batch), cursor === undefined ? undefined : lt(redemptionCodes.id, cursor)))
			.orderBy(desc(redemptionCodes.id))
			.limit(limit + 1);
		const now = Date.now();
		const page = rows.slice(0, limit);
		const last = page.at(-1);
		return c.json({ data: page.map((r) => view(r, now)), next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null });
	})
	.post("/redeem", valid("json", redeemBody), async (c) => {
		const input = c.req.valid("json");
		const { userId, tokenId } = await beneficiary(c.env, c.get("principal"), input.user_id);
		const codeHash = await sha256Hex(canonical(input.code));
		const now = Date.now();
		// One batch, one transaction, and D1 runs them one at a time: the conditional claim succeeds for exactly
		// one of any number of concurrent redemptions, and only the claimant's credit is written (the insert
		// selects the code as claimed by this user at this instant). The idempotency key, one per code, makes a
		// second credit for a code impossible even so. Plain D1 statements: drizzle cannot batch a raw query
		// with parameters, and its insert-from-select needs every column of the ledger.
		const [claim] = await c.env.DB.batch([c.env.DB.prepare(CLAIM).bind(codeHash, userId, now), c.env.DB.prepare(CREDIT).bind(codeHash, userId, now, tokenId)]);
		const claimed = claimedRow.safeParse(claim?.results[0]);
		if (!claimed.success) throw await refusal(c.env, codeHash, now);
		const [entry] = await db(c.env)
			.select()
			.from(ledgerEntries)
			.where(eq(ledgerEntries.idempotencyKey, `redemption:${claimed.data.id}`))
			.limit(1);
		if (!entry) throw new Error("a claimed code has no ledger entry");
		audit(c, {
			action: "redemption.redeem",
			objectType: "redemption",
			objectId: claimed.data.id,
			userId,
			detail: { amount_usd: toUsd(entry.amountNusd), ledger_entry_id: entry.id },
		});
		return c.json(ledgerView(entry), 201);
	});

export const redemptionDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/api/redemptions",
		summary: "Make a batch of redemption codes; the codes are shown only in this response",
		tag: "Billing",
		auth: "admin",
		body: redemptionCreate,
		response: redemptionCreated,
		errors: [201, 403],
	},
	{
		method: "get",
		path: "/api/redemptions",
		summary: "List redemption codes (prefixes and state, never the codes), newest first",
		tag: "Billing",
		auth: "admin",
		query: redemptionQuery,
		response: redemptionPage,
		errors: [403],
	},
	{
		method: "post",
		path: "/api/redemptions/redeem",
		summary: "Redeem a code once: credits the caller's user (or, for the operator, user_id) through the ledger",
		tag: "Billing",
		auth: "user",
		body: redeemBody,
		response: ledgerEntryView,
		errors: [201, 403, 404, 409],
	},
];
