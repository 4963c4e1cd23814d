import { IndexInputError } from "./vector-index-inputs";
import { type FilterOps, type FilterScalar, INDEX_LIMITS, type Metadata } from "./vector-index-types";

/**
 * Vectorize's metadata filter (developers.cloudflare.com/vectorize/reference/metadata-filtering), checked as Vectorize
 * checks it and compiled to a predicate for the local index. Comparisons are strict: a number never equals a string,
 * and a range compares only values of the bound's type (strings by code unit, as JavaScript orders them). A property
 * a vector lacks (or holds a list in) is `null`: `$eq: null` and `$ne`/`$nin` of anything else match it, ranges never.
 */

export type Predicate = (metadata: Metadata | undefined) => boolean;

type Clause = (value: FilterScalar) => boolean;

const SINGLE_OPS = ["$eq", "$ne", "$in", "$nin"] as const;
const LOWER_OPS = ["$gt", "$gte"] as const;
const UPPER_OPS = ["$lt", "$lte"] as const;
const KNOWN_OPS: ReadonlySet<string> = new Set<string>([...SINGLE_OPS, ...LOWER_OPS, ...UPPER_OPS]);

function invalid(reason: string): IndexInputError {
	return new IndexInputError("QUERY", `invalid filter: ${reason}`);
}

function isScalar(v: unknown): v is FilterScalar {
	return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function checkKey(key: string): void {
	if (key === "" || key.length > 512 || key.startsWith("$") || key.includes('"')) {
		throw invalid(`key ${JSON.stringify(key.slice(0, 64))} must be 1-512 characters, without '"', not starting with '$'`);
	}
}

function scalarOf(v: unknown, key: string, op: string): FilterScalar {
	if (!isScalar(v)) throw invalid(`${key}.${op} must be a string, number, boolean or null`);
	return v;
}

function listOf(v: unknown, key: string, op: string): FilterScalar[] {
	if (!Array.isArray(v) || v.length === 0) throw invalid(`${key}.${op} must be a non-empty array`);
	return v.map((item: unknown) => scalarOf(item, key, op));
}

function ordered(bound: FilterScalar, key: string, op: string): Exclude<FilterScalar, null> {
	if (bound === null) throw invalid(`${key}.${op} cannot be null`);
	return bound;
}

function sameType(a: FilterScalar, b: FilterScalar): a is Exclude<FilterScalar, null> {
	return a !== null && typeof a === typeof b;
}

function rangeClause(ops: FilterOps, key: string): Clause {
	const lowers = LOWER_OPS.filter((op) => op in ops);
	const uppers = UPPER_OPS.filter((op) => op in ops);
	if (lowers.length > 1 || uppers.length > 1) throw invalid(`${key} may have one lower and one upper bound`);
	const clauses: Clause[] = [];
	for (const op of [...lowers, ...uppers]) {
		const bound = ordered(scalarOf(ops[op], key, op), key, op);
		clauses.push((v) => {
			if (!sameType(v, bound)) return false;
			if (op === "$gt") return v > bound;
			if (op === "$gte") return v >= bound;
			if (op === "$lt") return v < bound;
			return v <= bound;
		});
	}
	return (v) => clauses.every((c) => c(v));
}

function equals(want: FilterScalar): Clause {
	return (v) => v === want;
}

function opsClause(ops: Record<string, unknown>, key: string): Clause {
	const names = Object.keys(ops);
	const unknown = names.find((op) => !KNOWN_OPS.has(op));
	if (unknown !== undefined) throw invalid(`unknown operator ${JSON.stringify(unknown.slice(0, 16))} on ${key}`);
	if (names.length === 0) throw invalid(`${key} has no operator`);
	const op = SINGLE_OPS.find((name) => name in ops);
	if (op !== undefined) {
		// Vectorize allows a range's two bounds together and no other combination.
		if (names.length > 1) throw invalid(`${key} combines ${names.join(", ")}; only a lower and an upper bound combine`);
		if (op === "$eq" || op === "$ne") {
			const want = scalarOf(ops[op], key, op);
			return op === "$eq" ? equals(want) : (v) => v !== want;
		}
		const set = new Set(listOf(ops[op], key, op));
		return op === "$in" ? (v) => set.has(v) : (v) => !set.has(v);
	}
	return rangeClause(ops as FilterOps, key);
}

function valueAt(metadata: Metadata | undefined, key: string): FilterScalar {
	const value = metadata?.[key];
	return isScalar(value) ? value : null;
}

/** Checks a filter as Vectorize does (throwing `IndexInputError`) and returns its predicate over a vector's metadata. */
export function compileFilter(filter: unknown): Predicate {
	if (typeof filter !== "object" || filter === null || Array.isArray(filter)) throw invalid("must be an object");
	const entries = Object.entries(filter);
	if (entries.length === 0) throw invalid("must not be empty");
	if (new TextEncoder().encode(JSON.stringify(filter)).length >= INDEX_LIMITS.maxFilterBytes) {
		throw invalid(`must be under ${INDEX_LIMITS.maxFilterBytes} bytes as JSON`);
	}
	const tests = entries.map(([key, spec]) => {
		checkKey(key);
		// In Vectorize a dotted key reaches into nested metadata; ours is flat (no key holds a dot), so it matches as absent.
		const clause = typeof spec === "object" && spec !== null ? opsClause(spec as Record<string, unknown>, key) : equals(scalarOf(spec, key, "$eq"));
		return (metadata: Metadata | undefined) => clause(valueAt(metadata, key));
	});
	return (metadata) => tests.every((t) => t(metadata));
}
