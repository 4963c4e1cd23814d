import type { Family } from "./metric-families";

const escapeValue = (v: string) => v.replace(/[\\"\n]/g, (ch) => (ch === "\n" ? "\\n" : `\\${ch}`));

function labelText(f: Family, values: readonly string[]): string {
	let out = "";
	for (let i = 0; i < f.labels.length; i++) out += `${i === 0 ? "" : ","}${f.labels[i]}="${escapeValue(values[i] ?? "")}"`;
	return out;
}

/**
 * This isolate's counts not flushed yet, as deltas keyed by their Prometheus series (`name{labels}`), so that the
 * aggregator only sums and /metrics only prints. A histogram keeps cumulative buckets, as the text format wants them.
 */
export class MetricDeltas {
	/** Off (METRICS=off): nothing is counted. Set per request from the config (config.ts is per env, this per isolate). */
	enabled = true;
	readonly #deltas = new Map<string, number>();
	/** Per histogram series, its bucket keys (+Inf last), built once. */
	readonly #buckets = new Map<string, readonly string[]>();

	inc(f: Family, values: readonly string[], by = 1): void {
		if (!this.enabled || by === 0) return;
		this.#add(`${f.name}{${labelText(f, values)}}`, by);
	}

	/** One observation of `seconds` in a histogram family. */
	observe(f: Family, values: readonly string[], seconds: number): void {
		if (!this.enabled || !Number.isFinite(seconds)) return;
		const labels = labelText(f, values);
		const base = `${f.name}{${labels}}`;
		let keys = this.#buckets.get(base);
		if (!keys) {
			const bounds = [...(f.buckets ?? []).map(String), "+Inf"];
			keys = bounds.map((le) => `${f.name}_bucket{${labels},le="${le}"}`);
			this.#buckets.set(base, keys);
		}
		const bounds = f.buckets ?? [];
		let i = 0;
		while (i < bounds.length && seconds > (bounds[i] ?? 0)) i++;
		for (; i < keys.length; i++) this.#add(keys[i] ?? "", 1);
		this.#add(`${f.name}_sum{${labels}}`, seconds);
		this.#add(`${f.name}_count{${labels}}`, 1);
	}

	get size(): number {
		return this.#deltas.size;
	}

	/** Takes every delta, leaving none: what a flush sends. */
	drain(): [string, number][] {
		const entries = [...this.#deltas];
		this.#deltas.clear();
		return entries;
	}

	/** Puts back deltas a flush could not deliver, to go with the next one. */
	restore(entries: readonly [string, number][]): void {
		for (const [key, delta] of entries) this.#add(key, delta);
	}

	#add(key: string, by: number): void {
		this.#deltas.set(key, (this.#deltas.get(key) ?? 0) + by);
	}
}

/** The isolate's counts: every request, consumer and cache of this isolate adds to them. */
export const metrics = new MetricDeltas();

/** A gauge's value, computed when /metrics is read. */
export interface GaugeValue {
	family: Family;
	values: readonly string[];
	value: number;
}

const SUFFIX_RANK: Record<string, number> = { _bucket: 0, _sum: 1, _count: 2 };

/** A histogram line's place: its labels without `le`, then buckets (by bound), sum, count. */
function histogramOrder(family: string, key: string): [string, number, number] {
	const brace = key.indexOf("{");
	const suffix = key.slice(family.length, brace);
	let labels = key.slice(brace + 1, -1);
	let le = 0;
	if (suffix === "_bucket") {
		const at = labels.lastIndexOf(',le="');
		const bound = labels.slice(at + 5, -1);
		le = bound === "+Inf" ? Number.POSITIVE_INFINITY : Number(bound);
		labels = labels.slice(0, at);
	}
	return [labels, SUFFIX_RANK[suffix] ?? 3, le];
}

/** The Prometheus text exposition (version 0.0.4) of summed series and gauges, family by family. */
export function renderMetrics(families: readonly Family[], series: ReadonlyMap<string, number>, gauges: readonly GaugeValue[]): string {
	const byFamily = new Map<string, [string, number][]>();
	const histograms = new Set(families.filter((f) => f.type === "histogram").map((f) => f.name));
	for (const [key, value] of series) {
		let name = key.slice(0, key.indexOf("{"));
		const suffix = /_(bucket|sum|count)$/.exec(name);
		if (suffix && histograms.has(name.slice(0, suffix.index))) name = name.slice(0, suffix.index);
		const lines = byFamily.get(name) ?? [];
		lines.push([key, value]);
		byFamily.set(name, lines);
	}
	for (const g of gauges) {
		const lines = byFamily.get(g.family.name) ?? [];
		lines.push([`${g.family.name}{${labelText(g.family, g.values)}}`, g.value]);
		byFamily.set(g.family.name, lines);
	}
	let out = "";
	for (const f of families) {
		out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
		const lines = byFamily.get(f.name) ?? [];
		if (f.type === "histogram") {
			const order = new Map(lines.map(([key]) => [key, histogramOrder(f.name, key)]));
			lines.sort(([a], [b]) => {
				const [la, ra, ea] = order.get(a) ?? ["", 0, 0];
				const [lb, rb, eb] = order.get(b) ?? ["", 0, 0];
				return la < lb ? -1 : la > lb ? 1 : ra - rb || ea - eb;
			});
		} else {
			lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		}
		for (const [key, value] of lines) out += `${key} ${value}\n`;
	}
	return out;
}
