import { z } from "zod";
import { type HeldVector, inverseNorm } from "./vector-search";

/**
 * The local index's SQLite tables and the in-memory copy queries scan. SQLite is the truth; memory holds, per
 * namespace, the vectors of the namespaces queried since the object started (loaded on first use), so that a
 * namespace nobody searches costs no memory and a search reads no rows. Vectors without a namespace are stored under ''.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vectors (
	id TEXT PRIMARY KEY,
	namespace TEXT NOT NULL,
	vals BLOB NOT NULL,
	metadata TEXT
);
CREATE INDEX IF NOT EXISTS vectors_namespace ON vectors (namespace);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

const NO_NAMESPACE = "";

const rowSchema = z.object({
	id: z.string(),
	namespace: z.string(),
	vals: z.instanceof(ArrayBuffer),
	metadata: z.string().nullable(),
});

// Written by this class only, from checked input; parsed again because a row outlives the code that wrote it.
const metadataJson = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));

function held(row: z.infer<typeof rowSchema>): HeldVector {
	const values = new Float32Array(row.vals.slice(0));
	return {
		id: row.id,
		namespace: row.namespace === NO_NAMESPACE ? undefined : row.namespace,
		values,
		inverseNorm: inverseNorm(values),
		metadata: row.metadata === null ? undefined : metadataJson.parse(JSON.parse(row.metadata)),
	};
}

export class VectorStorage {
	private readonly namespaces = new Map<string, Map<string, HeldVector>>();
	private everyNamespaceLoaded = false;

	constructor(private readonly sql: SqlStorage) {
		sql.exec(SCHEMA);
	}

	/** The index's dimension, fixed by its first call. */
	dimensions(): number | undefined {
		const row = this.sql.exec("SELECT value FROM settings WHERE key = 'dimensions'").toArray()[0];
		return typeof row?.value === "number" ? row.value : undefined;
	}

	setDimensions(dimensions: number): void {
		this.sql.exec("INSERT INTO settings (key, value) VALUES ('dimensions', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", dimensions);
	}

	/** Vectors a query may see: one namespace's, or (no namespace given) every vector, as Vectorize searches them. */
	candidates(namespace: string | undefined): Iterable<HeldVector> {
		if (namespace !== undefined) return this.namespace(namespace).values();
		if (!this.everyNamespaceLoaded) {
			this.namespaces.clear();
			for (const row of this.sql.exec("SELECT id, namespace, vals, metadata FROM vectors")) {
				const vector = held(rowSchema.parse(row));
				this.bucket(vector.namespace).set(vector.id, vector);
			}
			this.everyNamespaceLoaded = true;
		}
		return this.every();
	}

	/** Inserts or replaces each vector by id (an id moves if its namespace changes), in one transaction. */
	upsert(vectors: readonly HeldVector[]): void {
		for (const v of vectors) {
			this.sql.exec(
				"INSERT INTO vectors (id, namespace, vals, metadata) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET namespace = excluded.namespace, vals = excluded.vals, metadata = excluded.metadata",
				v.id,
				v.namespace ?? NO_NAMESPACE,
				v.values.buffer.slice(v.values.byteOffset, v.values.byteOffset + v.values.byteLength),
				v.metadata === undefined ? null : JSON.stringify(v.metadata),
			);
		}
		this.forget(vectors.map((v) => v.id));
		for (const v of vectors) {
			// A namespace not in memory reads the new rows when it is first queried; once all are, each stays current.
			const bucket = this.everyNamespaceLoaded ? this.bucket(v.namespace) : this.namespaces.get(v.namespace ?? NO_NAMESPACE);
			bucket?.set(v.id, v);
		}
	}

	/** The ids that existed, now deleted. */
	delete(ids: readonly string[]): string[] {
		const deleted = ids.filter((id) => this.sql.exec("DELETE FROM vectors WHERE id = ? RETURNING id", id).toArray().length > 0);
		this.forget(deleted);
		return deleted;
	}

	get(ids: readonly string[]): HeldVector[] {
		return ids.flatMap((id) =>
			this.sql
				.exec("SELECT id, namespace, vals, metadata FROM vectors WHERE id = ?", id)
				.toArray()
				.map((row) => held(rowSchema.parse(row))),
		);
	}

	private namespace(name: string): Map<string, HeldVector> {
		const loaded = this.namespaces.get(name);
		if (loaded) return loaded;
		const bucket = this.bucket(name);
		for (const row of this.sql.exec("SELECT id, namespace, vals, metadata FROM vectors WHERE namespace = ?", name)) {
			const vector = held(rowSchema.parse(row));
			bucket.set(vector.id, vector);
		}
		return bucket;
	}

	private bucket(name: string | undefined): Map<string, HeldVector> {
		const key = name ?? NO_NAMESPACE;
		let bucket = this.namespaces.get(key);
		if (!bucket) {
			bucket = new Map();
			this.namespaces.set(key, bucket);
		}
		return bucket;
	}

	private forget(ids: readonly string[]): void {
		for (const bucket of this.namespaces.values()) for (const id of ids) bucket.delete(id);
	}

	private *every(): Iterable<HeldVector> {
		for (const bucket of this.namespaces.values()) yield* bucket.values();
	}
}
