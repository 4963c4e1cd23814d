import { and, eq, gt, gte, inArray, isNotNull, lt, lte, ne, not, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { memories } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { type MetadataFilter, metadataFilter, metadataSql, metadataValues } from "./metadata-filter";

/** The entity kinds of Mem0: whom or what a memory is about. */
export const ENTITY_FIELDS = ["user_id", "agent_id", "app_id", "run_id"] as const;
export type EntityField = (typeof ENTITY_FIELDS)[number];
export type Entities = Partial<Record<EntityField, string>>;

/** The entity columns of a memory row. */
export type EntityColumns = { entityUserId: string | null; agentId: string | null; appId: string | null; runId: string | null };

/** A memory's entity ids, as a write or a filter names them. */
export function entitiesOfRow(r: EntityColumns): Entities {
	return { user_id: r.entityUserId ?? undefined, agent_id: r.agentId ?? undefined, app_id: r.appId ?? undefined, run_id: r.runId ?? undefined };
}

const column = { user_id: memories.entityUserId, agent_id: memories.agentId, app_id: memories.appId, run_id: memories.runId } as const;

const entityId = z.string().min(1).max(256);
/** An entity condition: an id, `"*"` (any), or Mem0's operators. */
const entityCondition = z.union([
	entityId,
	z.strictObject({ in: z.array(entityId).min(1).max(100).optional(), ne: entityId.optional(), eq: entityId.optional() }),
]);
const dateValue = z.union([z.string().min(1).max(64), z.number()]);
const dateCondition = z.strictObject({ gte: dateValue.optional(), lte: dateValue.optional(), gt: dateValue.optional(), lt: dateValue.optional() });

export interface MemoryFilter {
	AND?: MemoryFilter[] | undefined;
	OR?: MemoryFilter[] | undefined;
	NOT?: MemoryFilter[] | undefined;
	user_id?: z.infer<typeof entityCondition> | undefined;
	agent_id?: z.infer<typeof entityCondition> | undefined;
	app_id?: z.infer<typeof entityCondition> | undefined;
	run_id?: z.infer<typeof entityCondition> | undefined;
	created_at?: z.infer<typeof dateCondition> | undefined;
	updated_at?: z.infer<typeof dateCondition> | undefined;
	metadata?: MetadataFilter | undefined;
}

/** Mem0's `filters`: entity ids, dates, metadata, nested under `AND` / `OR` / `NOT` (v2/v3 shape). */
export const memoryFilter: z.ZodType<MemoryFilter> = z.lazy(() =>
	z.strictObject({
		AND: z.array(memoryFilter).max(20).optional(),
		OR: z.array(memoryFilter).max(20).optional(),
		NOT: z.array(memoryFilter).max(20).optional(),
		user_id: entityCondition.optional(),
		agent_id: entityCondition.optional(),
		app_id: entityCondition.optional(),
		run_id: entityCondition.optional(),
		created_at: dateCondition.optional(),
		updated_at: dateCondition.optional(),
		metadata: metadataFilter.optional(),
	}),
);

function instant(value: string | number, field: string): number {
	const ms = typeof value === "number" ? value : Date.parse(value);
	if (!Number.isFinite(ms)) throw new GatewayError("invalid_request", `filters.${field}: '${value}' is not a date`, { param: `filters.${field}` });
	return ms;
}

function entityClause(field: EntityField, cond: z.infer<typeof entityCondition>): SQL | undefined {
	const col = column[field];
	if (typeof cond === "string") return cond === "*" ? isNotNull(col) : eq(col, cond);
	return and(
		cond.eq === undefined ? undefined : eq(col, cond.eq),
		cond.in ? inArray(col, cond.in) : undefined,
		cond.ne === undefined ? undefined : ne(col, cond.ne),
	);
}

function dateClause(field: "created_at" | "updated_at", cond: z.infer<typeof dateCondition>): SQL | undefined {
	const col = field === "created_at" ? memories.createdAt : memories.updatedAt;
	const at = (v: string | number | undefined) => (v === undefined ? undefined : instant(v, field));
	const [gteAt, lteAt, gtAt, ltAt] = [at(cond.gte), at(cond.lte), at(cond.gt), at(cond.lt)];
	// A bare date as an upper bound means the whole of that day, as Mem0 reads `lte: "2024-07-31"`.
	const wholeDay = typeof cond.lte === "string" && /^\d{4}-\d{2}-\d{2}$/.test(cond.lte) ? 86_399_999 : 0;
	return and(
		gteAt === undefined ? undefined : gte(col, gteAt),
		lteAt === undefined ? undefined : lte(col, lteAt + wholeDay),
		gtAt === undefined ? undefined : gt(col, gtAt),
		ltAt === undefined ? undefined : lt(col, ltAt),
	);
}

/** The SQL condition of a filter on `memories`; undefined when it constrains nothing. */
export function filterSql(f: MemoryFilter): SQL | undefined {
	const parts: (SQL | undefined)[] = [];
	for (const field of ENTITY_FIELDS) {
		const cond = f[field];
		if (cond !== undefined) parts.push(entityClause(field, cond));
	}
	if (f.created_at) parts.push(dateClause("created_at", f.created_at));
	if (f.updated_at) parts.push(dateClause("updated_at", f.updated_at));
	if (f.metadata) parts.push(metadataSql(f.metadata));
	if (f.AND) parts.push(and(...f.AND.map(filterSql)));
	if (f.OR && f.OR.length > 0) parts.push(or(...f.OR.map((g) => filterSql(g) ?? sql`1`)));
	if (f.NOT)
		for (const g of f.NOT) {
			const inner = filterSql(g);
			if (inner) parts.push(not(inner));
		}
	return and(...parts);
}

/** Whether a filter names at least one entity anywhere (Mem0 refuses a list or search over no entity). */
export function namesEntity(f: MemoryFilter): boolean {
	return ENTITY_FIELDS.some((field) => f[field] !== undefined) || [...(f.AND ?? []), ...(f.OR ?? [])].some(namesEntity);
}

/** The entity ids given at a request's top level, as a filter ANDed with its `filters`. */
export function entitiesFilter(entities: Entities): MemoryFilter {
	const f: MemoryFilter = {};
	for (const field of ENTITY_FIELDS) {
		const id = entities[field];
		if (id !== undefined) f[field] = id;
	}
	return f;
}

/**
 * The entity ids a filter requires exactly (at its top or under its top-level `AND`s), as a vector index filter:
 * applied in the index, they keep the owner's other entities from crowding the wanted one out of the nearest
 * candidates. Only a narrowing: the SQL filter still decides what is returned. Undefined when it requires none.
 */
export function requiredEntities(f: MemoryFilter): Record<string, string> | undefined {
	const out: Record<string, string> = {};
	const collect = (g: MemoryFilter) => {
		for (const field of ENTITY_FIELDS) {
			const cond = g[field];
			const id = typeof cond === "string" ? cond : cond?.eq;
			if (id !== undefined && id !== "*") out[field] = id;
		}
		for (const inner of g.AND ?? []) collect(inner);
	};
	collect(f);
	return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The values a filter binds into SQL. D1 binds at most 100 parameters a statement, and a search adds a few of its
 * own: a filter is refused (400) above `MAX_FILTER_VALUES` rather than failing in the database.
 */
export const MAX_FILTER_VALUES = 80;

export function filterValues(f: MemoryFilter): number {
	let n = 0;
	for (const field of ENTITY_FIELDS) {
		const cond = f[field];
		if (typeof cond === "string") n += 1;
		else if (cond) n += (cond.in?.length ?? 0) + (cond.eq === undefined ? 0 : 1) + (cond.ne === undefined ? 0 : 1);
	}
	for (const date of [f.created_at, f.updated_at]) if (date) n += Object.values(date).filter((v) => v !== undefined).length;
	if (f.metadata) n += metadataValues(f.metadata);
	for (const inner of [...(f.AND ?? []), ...(f.OR ?? []), ...(f.NOT ?? [])]) n += filterValues(inner);
	return n;
}
