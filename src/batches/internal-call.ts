import type { CallerKey } from "../types/caller";

/**
 * A request the gateway makes to itself for a batch line (src/batches/run-line.ts): who it is made for, and which
 * line. Kept beside the Request object in memory, never in a header: nothing a client sends can claim to be one.
 */
export interface InternalCall {
	/** The key that created the batch, re-read for every line (a revoked or disabled key stops its batches). */
	caller: CallerKey;
	/** `<batch id>-<line>`: fixed, so that however often the line runs its usage row and ledger debit are written once. */
	requestId: string;
	/** Named in the line's usage record and charged its price less `discount` (BATCH_DISCOUNT). */
	batch: { id: string; discount: number };
}

const calls = new WeakMap<Request, InternalCall>();

/** Marks `request` as a batch line's call to the gateway; requestIds(), callerAuth() and usageMeter() read it. */
export function markInternal(request: Request, call: InternalCall): Request {
	calls.set(request, call);
	return request;
}

/** The batch line `request` stands for; undefined for a request from outside, whatever its headers say. */
export function internalCall(request: Request): InternalCall | undefined {
	return calls.get(request);
}
