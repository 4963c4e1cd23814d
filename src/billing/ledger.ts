import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledgerEntries } from "../db/schema";

export type LedgerRow = typeof ledgerEntries.$inferSelect;
export type LedgerKind = LedgerRow["kind"];

export interface NewLedgerEntry {
	userId: number;
	tokenId?: number | null;
	kind: LedgerKind;
	/** Signed nano-USD: credits positive, debits negative. */
	amountNusd: number;
	/** Unique across the ledger: a second append under the same key writes nothing and returns the first entry. */
	idempotencyKey: string;
	requestId?: string | null;
	note?: string | null;
}

/**
 * Appends an entry (the ledger's trigger moves the balance) unless one under its idempotency key exists, and
 * returns the entry under that key, whether this call wrote it or an earlier one did. One D1 batch, so the
 * entry read back is the one the insert raced against, with the balances the trigger filled in.
 */
export async function appendEntry(d: Db, entry: NewLedgerEntry): Promise<{ entry: LedgerRow; created: boolean }> {
	const [inserted, [row]] = await d.batch([
		d
			.insert(ledgerEntries)
			.values({
				userId: entry.userId,
				tokenId: entry.tokenId ?? null,
				kind: entry.kind,
				amountNusd: entry.amountNusd,
				idempotencyKey: entry.idempotencyKey,
				requestId: entry.requestId ?? null,
				note: entry.note ?? null,
			})
			.onConflictDoNothing({ target: ledgerEntries.idempotencyKey })
			.returning({ id: ledgerEntries.id }),
		d.select().from(ledgerEntries).where(eq(ledgerEntries.idempotencyKey, entry.idempotencyKey)).limit(1),
	]);
	if (!row) throw new Error("ledger entry missing right after its insert");
	return { entry: row, created: inserted.length > 0 };
}
