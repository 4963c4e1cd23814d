import { ENTITY_FIELDS, type Entities, type EntityField, type MemoryFilter } from "./filters";

/**
 * The scopes of src/db/schema.ts's `memory_search_generations`. A write bumps the scopes of every memory it touches
 * (each entity id the memory has, and ANY_WRITE); a search is checked against the scopes its filter confines it to,
 * so that a write to `alice` leaves a search for `bob` cached, and a memory of both `alice` and agent `bot` stales
 * searches for either.
 */
export const ANY_WRITE = "*";
/** The owner's epoch: checked by every search, bumped only by a privacy purge (src/privacy/purge-steps.ts). */
export const OWNER_EPOCH = "";

/** Above this many entities a filter is checked against ANY_WRITE instead: one row read, not hundreds. */
const MAX_SCOPES = 50;

const entityScope = (field: EntityField, id: string) => `${field}:${id}`;

/** The scopes a write to memories of these entities bumps. */
export function writtenScopes(written: readonly Entities[]): string[] {
	const scopes = new Set([ANY_WRITE]);
	for (const entities of written) {
		for (const field of ENTITY_FIELDS) {
			const id = entities[field];
			if (id !== undefined) scopes.add(entityScope(field, id));
		}
	}
	return [...scopes];
}

/** The scopes a search with this filter is checked against, the epoch first. */
export function searchScopes(filter: MemoryFilter): string[] {
	const cover = coverOf(filter);
	return [OWNER_EPOCH, ...(cover === undefined || cover.length > MAX_SCOPES ? [ANY_WRITE] : cover.sort())];
}

/**
 * Entity scopes one of which every memory the filter selects has; undefined when no finite set does (`"*"`, `ne`,
 * `NOT`, dates or metadata alone). The conditions of one object and of its `AND` all hold, so any one of their
 * covers is one (the smallest is taken); an `OR` is covered by the union of its branches' covers, if each has one.
 */
function coverOf(f: MemoryFilter): string[] | undefined {
	const covers: string[][] = [];
	for (const field of ENTITY_FIELDS) {
		const cond = f[field];
		const ids = typeof cond === "string" ? (cond === "*" ? undefined : [cond]) : smallest([cond?.eq === undefined ? undefined : [cond.eq], cond?.in]);
		if (ids) covers.push(ids.map((id) => entityScope(field, id)));
	}
	for (const inner of f.AND ?? []) {
		const cover = coverOf(inner);
		if (cover) covers.push(cover);
	}
	if (f.OR && f.OR.length > 0) {
		const branches = f.OR.map(coverOf);
		if (branches.every((b) => b !== undefined)) covers.push([...new Set(branches.flat())]);
	}
	return smallest(covers);
}

function smallest<T>(options: readonly (readonly T[] | undefined)[]): T[] | undefined {
	let best: readonly T[] | undefined;
	for (const o of options) if (o !== undefined && (best === undefined || o.length < best.length)) best = o;
	return best && [...best];
}
