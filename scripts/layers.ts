/**
 * The layer rules of the gateway's sources, as data and pure functions: `check-layers.ts` feeds them the files on
 * disk, the unit test a tiny fixture. Dependencies point one way: a file may import its own layer or a layer of lower
 * rank; two layers of the same rank may not import each other (the relay and the Durable Objects are both just below
 * HTTP, but neither may reach into the other); a route may not import another route's handlers.
 */

export interface Layer {
	name: string;
	rank: number;
	/** A file (`src/app.ts`), a folder (`src/relay/`) or a file pattern with `*` inside one name (`queues/*-message.ts`). */
	paths: readonly string[];
}

/** Top to bottom. A file belongs to the layer of its most specific (longest) matching path. */
export const LAYERS: readonly Layer[] = [
	// The gateway's script, and the parser Worker's (src/parser/: PDF and Word parsing, a script of its own).
	{ name: "entry", rank: 7, paths: ["src/index.ts", "src/app.ts", "src/parser/"] },
	{ name: "http", rank: 6, paths: ["src/routes/", "src/middleware/", "src/openapi/"] },
	{
		name: "domain",
		rank: 5,
		paths: ["src/relay/", "src/rollups/", "src/knowledge/", "src/memory/", "src/conversations/", "src/privacy/", "src/cache/", "src/batches/"],
	},
	// Run by the runtime on their own (RPC, queue batches), beside the domain: neither may import the other.
	{ name: "runtime", rank: 5, paths: ["durable-objects/", "queues/"] },
	// Billing (prices, cost, ledger) and auth (passwords, sessions, policy) serve the relay, HTTP, the queue consumers
	// and the Durable Objects alike, and need nothing of theirs; channels (rows to live targets, the test request) serve
	// the relay, the channel routes and the breaker's probes; the audit log records what any of them does.
	{ name: "services", rank: 4, paths: ["src/billing/", "src/auth/", "src/channels/", "src/audit/"] },
	// A provider may use a wire helper (SSE, embeddings bodies); a wire format never knows a provider.
	{ name: "providers", rank: 3, paths: ["src/providers/"] },
	{ name: "protocols", rank: 2, paths: ["src/protocols/"] },
	{
		name: "shared",
		rank: 1,
		paths: [
			"src/lib/",
			// Metrics, logs and traces: every layer reports to them.
			"src/observability/",
			"src/db/",
			"src/errors/",
			"src/types/",
			// Trace context and the OTLP exporter: the request and every layer under it add their spans.
			"src/observability/",
			// AppEnv and the validated config: every layer reads them.
			"src/env.ts",
			// Who called /api: produced by auth, read by every layer that decides anything.
			"src/auth/principal.ts",
			// The contracts of the Durable Objects and queues (RPC types, message schemas): callers and the runtime share them.
			"durable-objects/*-types.ts",
			"queues/*-message.ts",
		],
	},
];

export interface Import {
	from: string;
	to: string;
	/** `import type` / `export type`: erased at build time. */
	typeOnly: boolean;
}

export interface Violation {
	edge: Import;
	reason: string;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:(?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)\s+from\s+)?["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The module specifiers a file imports or re-exports, static and dynamic (`typeof import("…")` included). */
export function specifiersOf(source: string): { specifier: string; typeOnly: boolean }[] {
	const found: { specifier: string; typeOnly: boolean }[] = [];
	for (const m of source.matchAll(IMPORT)) {
		const specifier = m[3];
		if (specifier !== undefined) found.push({ specifier, typeOnly: m[2] !== undefined });
	}
	for (const m of source.matchAll(DYNAMIC_IMPORT)) {
		const specifier = m[1];
		if (specifier !== undefined) found.push({ specifier, typeOnly: false });
	}
	return found;
}

function matches(file: string, path: string): boolean {
	if (path.endsWith("/")) return file.startsWith(path);
	if (!path.includes("*")) return file === path;
	const [head = "", tail = ""] = path.split("*");
	const name = file.slice(head.length, file.length - tail.length);
	return file.startsWith(head) && file.endsWith(tail) && file.length >= head.length + tail.length && !name.includes("/");
}

/** The layer of a repository-relative path, or undefined when the table has no place for it. */
export function layerOf(file: string, layers: readonly Layer[] = LAYERS): Layer | undefined {
	let best: { layer: Layer; length: number } | undefined;
	for (const layer of layers) {
		for (const path of layer.paths) {
			if (matches(file, path) && (!best || path.length > best.length)) best = { layer, length: path.length };
		}
	}
	return best?.layer;
}

const ROUTES = "src/routes/";
const SHARED_ROUTE_PIECES = `${ROUTES}shared/`;

/**
 * The route a handler file of src/routes/ is: `channels.ts` is "channel". Pieces several routes use live in
 * src/routes/shared/ and are no route. A schemas file (`channel-schemas.ts`) is no handler: it is zod data, the wire
 * shape of a resource, which a second surface may reuse (the playground speaks OpenAI's chat); what is generic
 * (an `:id` parameter, pagination) still belongs in src/routes/shared/.
 */
export function routeOf(file: string): string | undefined {
	if (!file.startsWith(ROUTES) || file.startsWith(SHARED_ROUTE_PIECES) || file.endsWith("-schemas.ts")) return undefined;
	return file.slice(ROUTES.length).replace(/\.ts$/, "").replace(/s$/, "");
}

/** Why an import breaks the layering, or undefined when it does not. */
export function violationOf(edge: Import, layers: readonly Layer[] = LAYERS): string | undefined {
	const from = layerOf(edge.from, layers);
	const to = layerOf(edge.to, layers);
	if (!from) return `${edge.from} has no layer: add its folder to the table in scripts/layers.ts`;
	if (!to) return `${edge.to} has no layer: add its folder to the table in scripts/layers.ts`;
	if (to.rank > from.rank) return `points up: ${from.name} (${from.rank}) imports ${to.name} (${to.rank})`;
	if (to.rank === from.rank && to !== from) return `points sideways: ${from.name} imports ${to.name}, a layer of the same rank`;
	const toRoute = routeOf(edge.to);
	if (edge.from.startsWith(ROUTES) && toRoute !== undefined && routeOf(edge.from) !== toRoute) {
		return `imports the handlers of route "${toRoute}": move what they share to src/routes/shared/ or lower`;
	}
	return undefined;
}

export function violations(edges: readonly Import[], layers: readonly Layer[] = LAYERS): Violation[] {
	const found: Violation[] = [];
	for (const edge of edges) {
		const reason = violationOf(edge, layers);
		if (reason) found.push({ edge, reason });
	}
	return found;
}

/**
 * Import cycles: the strongly connected components (Tarjan) of more than one file, or a file importing itself.
 * Type-only imports count: they vanish at runtime, so they cannot break module initialisation, but a type cycle ties
 * the files as tightly as a value cycle for a reader and for whoever moves one of them (env ↔ middleware ↔ relay was
 * all types), and the layers forbid them anyway.
 */
export function cycles(edges: readonly Import[]): string[][] {
	const next = new Map<string, string[]>();
	for (const { from, to } of edges) {
		next.set(from, [...(next.get(from) ?? []), to]);
		if (!next.has(to)) next.set(to, []);
	}
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const found: string[][] = [];

	const visit = (file: string): void => {
		index.set(file, index.size);
		low.set(file, index.get(file) ?? 0);
		stack.push(file);
		onStack.add(file);
		for (const to of next.get(file) ?? []) {
			if (!index.has(to)) {
				visit(to);
				low.set(file, Math.min(low.get(file) ?? 0, low.get(to) ?? 0));
			} else if (onStack.has(to)) {
				low.set(file, Math.min(low.get(file) ?? 0, index.get(to) ?? 0));
			}
		}
		if (low.get(file) !== index.get(file)) return;
		const component: string[] = [];
		let member: string | undefined;
		do {
			member = stack.pop();
			if (member === undefined) break;
			onStack.delete(member);
			component.push(member);
		} while (member !== file);
		const selfImport = (next.get(file) ?? []).includes(file);
		if (component.length > 1 || selfImport) found.push(component.sort());
	};

	for (const file of [...next.keys()].sort()) if (!index.has(file)) visit(file);
	return found.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** The imports that tie a cycle together, to print with it. */
export function edgesWithin(component: readonly string[], edges: readonly Import[]): Import[] {
	const members = new Set(component);
	return edges.filter((e) => members.has(e.from) && members.has(e.to));
}
