/**
 * `npm run check` runs this: it fails on an import cycle or an import that breaks the layers of scripts/layers.ts,
 * and prints each offending import. A script rather than dependency-cruiser or madge: both parse TypeScript with the
 * `typescript` package's JavaScript API, which TypeScript 7 (the native compiler this project uses) no longer ships,
 * and the rules here fit in a table.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { cycles, edgesWithin, type Import, layerOf, specifiersOf, violations } from "./layers.ts";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "..");
const LAYERED = ["src", "durable-objects", "queues"];
/** Not layered itself, but what it takes from the Worker must be shared types, never code that runs there. */
const DASHBOARD = "dashboard";

function sourcesUnder(dir: string): string[] {
	const abs = join(ROOT, dir);
	if (!existsSync(abs)) return [];
	return readdirSync(abs).flatMap((name) => {
		const path = join(dir, name);
		if (name === "node_modules" || name === "dist") return [];
		if (statSync(join(ROOT, path)).isDirectory()) return sourcesUnder(path);
		return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
	});
}

function resolve(from: string, specifier: string): string | undefined {
	const base = normalize(join(dirname(from), specifier));
	const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")];
	return candidates.find((c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile());
}

function importsOf(files: readonly string[]): { edges: Import[]; unresolved: string[] } {
	const edges: Import[] = [];
	const unresolved: string[] = [];
	for (const from of files) {
		for (const { specifier, typeOnly } of specifiersOf(readFileSync(join(ROOT, from), "utf8"))) {
			if (!specifier.startsWith(".")) continue;
			const to = resolve(from, specifier);
			if (to) edges.push({ from, to: relative(".", to), typeOnly });
			else unresolved.push(`${from} → ${specifier}`);
		}
	}
	return { edges, unresolved };
}

function dashboardProblems(): string[] {
	const { edges } = importsOf(sourcesUnder(DASHBOARD));
	return edges
		.filter((e) => !e.to.startsWith(`${DASHBOARD}/`) && layerOf(e.to)?.name !== "shared")
		.map((e) => `${e.from} → ${e.to}: the dashboard may take only shared types from the Worker`);
}

function main(): number {
	const { edges, unresolved } = importsOf(LAYERED.flatMap(sourcesUnder));
	const problems = [
		...unresolved.map((u) => `${u}: cannot resolve`),
		...violations(edges).map((v) => `${v.edge.from} → ${v.edge.to}${v.edge.typeOnly ? " (type)" : ""}: ${v.reason}`),
		...dashboardProblems(),
	];
	const loops = cycles(edges);
	for (const loop of loops) {
		problems.push(`import cycle of ${loop.length} files:`);
		for (const e of edgesWithin(loop, edges)) problems.push(`    ${e.from} → ${e.to}${e.typeOnly ? " (type)" : ""}`);
	}
	if (problems.length === 0) {
		console.log(`layers: ${edges.length} imports between ${new Set(edges.map((e) => e.from)).size} files, no cycle, none points up`);
		return 0;
	}
	console.error(`layers: ${problems.filter((p) => !p.startsWith("    ")).length} problem(s)\n${problems.join("\n")}`);
	return 1;
}

process.chdir(ROOT);
process.exitCode = main();
